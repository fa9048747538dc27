import type { Finding } from "../finding.js"

export const summary = (findings: ReadonlyArray<Finding>, files: number): string => {
  const errors = findings.filter((finding) => finding.level === "error").length
  const warnings = findings.length - errors
  return `${files} migration${files === 1 ? "" : "s"} linted: ${errors} error${errors === 1 ? "" : "s"}, ` +
    `${warnings} warning${warnings === 1 ? "" : "s"}`
}

/** For people: the place, the rule, the source line with a caret under the column, then what it blocks and the fix. */
export const renderText = (findings: ReadonlyArray<Finding>, files: number): string => {
  const blocks = findings.map((finding) =>
    [
      `${finding.file}:${finding.line}:${finding.column}: ${finding.level} [${finding.rule}] ${finding.message}`,
      `  ${finding.sourceLine}`,
      `  ${" ".repeat(Math.max(0, finding.column - 1))}^`,
      `  blocks: ${finding.blocks}, for: ${finding.duration}`,
      `  safe: ${finding.safe}`
    ].join("\n")
  )
  return [...blocks, summary(findings, files)].join("\n\n")
}
