import { Effect } from "effect"
import type { Migration } from "../migration.js"
import { readText } from "../source/directory.js"
import type { LintInput } from "./engine.js"
import { sqlLiterals, sqlView } from "./tsSql.js"

const isModule = (file: string) => /\.[mc]?[jt]s$/.test(file)

/**
 * What the linter reads of a migration: a `.sql` file's up section (its lines are the file's); a module's SQL
 * literals, found in its source (reported as not linted where they interpolate, or when there are none).
 */
export const lintInput = (migration: Migration, role: { readonly report: boolean; readonly fresh: boolean }) =>
  Effect.gen(function*() {
    const base = { file: migration.source, transactional: migration.transaction, ...role }
    if (!isModule(migration.source)) {
      if (migration.up._tag === "Sql") return { ...base, sql: migration.up.sql } satisfies LintInput
      return { ...base, sql: "", notes: [{ rule: "not-linted", index: 0, message: `${migration.id}: its up is code, not SQL` }] } satisfies LintInput
    }
    // Read and decoded as the loader does (the module's text is not kept on the Migration).
    const text = yield* readText(migration.source)
    const literals = sqlLiterals(text)
    const notes: Array<NonNullable<LintInput["notes"]>[number]> = literals.filter((literal) => literal.dynamic).map((literal) => ({
      rule: "not-linted" as const,
      index: literal.start - 1,
      message: "this SQL interpolates values (${...}): it is not linted"
    }))
    if (literals.length === 0) {
      notes.push({ rule: "not-linted", index: 0, message: `${migration.id}: no SQL text can be seen in its up: not linted` })
    }
    return { ...base, sql: sqlView(text, literals), original: text, notes } satisfies LintInput
  })
