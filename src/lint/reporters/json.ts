import type { Finding } from "../finding.js"

/** For machines: one array of findings, without the source line. */
export const renderJson = (findings: ReadonlyArray<Finding>): string =>
  JSON.stringify(findings.map(({ sourceLine: _, ...finding }) => finding), null, 2)
