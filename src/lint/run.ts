import { Effect } from "effect"
import type { Migration } from "../migration.js"
import type { Plan } from "../stages/discover.js"
import { lint, type LintInput } from "./engine.js"
import { lintInput } from "./inputs.js"
import { loadParser } from "./parser.js"

/** A migration as the linter takes it: reported or only learnt from, and whether what it creates is new. */
export interface LintRole {
  readonly migration: Migration
  readonly report: boolean
  readonly fresh: boolean
}

/** The pending migrations of a plan, linted after learning from the applied ones. */
export const rolesOfPlan = (plan: Plan): ReadonlyArray<LintRole> => {
  const pending = new Set(plan.pending.map((migration) => migration.id))
  return plan.migrations.map((migration) => {
    const report = pending.has(migration.id)
    return { migration, report, fresh: report }
  })
}

/**
 * Reads and lints migrations; loads the parser only when one is to be reported. For a strict check before `up`:
 * `if (plan.pending.length > 0) yield* lintMigrations(rolesOfPlan(plan))`.
 */
export const lintMigrations = (roles: ReadonlyArray<LintRole>, disabled: ReadonlySet<string> = new Set()) =>
  Effect.gen(function*() {
    if (!roles.some((role) => role.report)) return { findings: [], linted: 0 }
    const inputs: Array<LintInput> = yield* Effect.forEach(roles, (role) => lintInput(role.migration, role))
    const parse = yield* loadParser
    return { findings: yield* lint(parse, inputs, disabled), linted: inputs.filter((input) => input.report).length }
  })
