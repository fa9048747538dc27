import { describe, expect, it } from "vitest"
import type { Finding } from "../../src/lint/finding.js"
import { renderGithub } from "../../src/lint/reporters/github.js"
import { renderJson } from "../../src/lint/reporters/json.js"
import { renderSarif } from "../../src/lint/reporters/sarif.js"
import { renderText } from "../../src/lint/reporters/text.js"

const finding: Finding = {
  file: "migrations/2024_x,y.sql",
  line: 3,
  column: 5,
  rule: "drop-column",
  level: "error",
  message: "DROP COLUMN users.name: 100% gone",
  blocks: "both",
  duration: "instant",
  safe: "stop using it first",
  sourceLine: "    ALTER TABLE users DROP COLUMN name;"
}
const warning: Finding = { ...finding, rule: "not-linted", level: "warning", line: 1, column: 1 }

describe("lint reporters", () => {
  it("text: the place, the rule, the line with a caret under the column, blocks, duration, the safe way", () => {
    expect(renderText([finding], 1)).toBe([
      "migrations/2024_x,y.sql:3:5: error [drop-column] DROP COLUMN users.name: 100% gone",
      "      ALTER TABLE users DROP COLUMN name;",
      "      ^",
      "  blocks: both, for: instant",
      "  safe: stop using it first",
      "",
      "1 migration linted: 1 error, 0 warnings"
    ].join("\n"))
  })

  it("github: workflow commands with escaped properties and data", () => {
    expect(renderGithub([finding, warning]).split("\n")).toEqual([
      "::error file=migrations/2024_x%2Cy.sql,line=3,col=5,title=drop-column::DROP COLUMN users.name: 100%25 gone " +
      "(blocks both, instant). Safe: stop using it first",
      "::warning file=migrations/2024_x%2Cy.sql,line=1,col=1,title=not-linted::DROP COLUMN users.name: 100%25 gone " +
      "(blocks both, instant). Safe: stop using it first"
    ])
  })

  it("json: every field but the source line", () => {
    const [parsed] = JSON.parse(renderJson([finding])) as Array<Record<string, unknown>>
    expect(parsed).toEqual({
      file: finding.file, line: 3, column: 5, rule: "drop-column", level: "error", message: finding.message,
      blocks: "both", duration: "instant", safe: "stop using it first"
    })
  })

  it("sarif: 2.1.0 with the rules and one result per finding", () => {
    const log = JSON.parse(renderSarif([finding], "0.1.0")) as {
      version: string
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>
    }
    expect(log.version).toBe("2.1.0")
    expect(log.runs[0]!.tool.driver.rules.map((rule) => rule.id)).toContain("drop-column")
    expect(log.runs[0]!.results[0]).toMatchObject({
      ruleId: "drop-column",
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: finding.file }, region: { startLine: 3, startColumn: 5 } } }]
    })
  })
})
