import type { Finding } from "../finding.js"

/** Workflow commands' escaping: % \r \n in messages, and also : , in properties. */
const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C")

/** GitHub Actions annotations: `::error file=..,line=..,col=..,title=..::message`. */
export const renderGithub = (findings: ReadonlyArray<Finding>): string =>
  findings.map((finding) =>
    `::${finding.level} file=${escapeProperty(finding.file)},line=${finding.line},col=${finding.column},` +
    `title=${escapeProperty(finding.rule)}::${escapeData(`${finding.message} (blocks ${finding.blocks}, ${finding.duration}). Safe: ${finding.safe}`)}`
  ).join("\n")
