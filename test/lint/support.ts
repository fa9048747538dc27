import { Effect } from "effect"
import { lint, type LintInput } from "../../src/lint/engine.js"
import type { Finding } from "../../src/lint/finding.js"
import { loadParser } from "../../src/lint/parser.js"

export interface Case {
  readonly sql: string
  /** Runs outside a transaction (-- transaction: false). */
  readonly noTransaction?: boolean
  /** An applied migration before it, learnt from (its tables exist). */
  readonly applied?: string
}

/** Lints one migration's SQL (after an optional applied one) and returns its findings. */
export const lintSql = (input: Case): Effect.Effect<ReadonlyArray<Finding>, unknown> =>
  Effect.flatMap(loadParser, (parse) => {
    const inputs: Array<LintInput> = []
    if (input.applied !== undefined) {
      inputs.push({ file: "applied.sql", sql: input.applied, transactional: true, report: false, fresh: false })
    }
    inputs.push({ file: "m.sql", sql: input.sql, transactional: input.noTransaction !== true, report: true, fresh: true })
    return lint(parse, inputs)
  })

/** rule@line:column, for exact assertions. */
export const where = (findings: ReadonlyArray<Finding>) => findings.map((finding) => `${finding.rule}@${finding.line}:${finding.column}`)
