import { FileSystem } from "@effect/platform"
import { Effect, Either, Option } from "effect"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import type { Migration, MigrationBody } from "../migration.js"
import { splitStatements } from "../sql/splitStatements.js"
import type { Plan } from "../stages/discover.js"
import { select, type Selection } from "../stages/execute.js"
import { readPlan } from "./state.js"

export interface DryRunPlan {
  readonly plan: Plan
  readonly run: ReadonlyArray<Migration>
  readonly notSelected: ReadonlyArray<Migration>
  /** undefined when the RLS stage would not run. */
  readonly rls: { readonly file: string; readonly statements: number | undefined } | undefined
}

const kind = (body: MigrationBody) => (body._tag === "Sql" ? "SQL" : body._tag === "Effect" ? "Effect" : "legacy function")

const indent = (text: string, prefix: string) =>
  text.trim().split("\n").map((line) => (line.trim() === "" ? "" : `${prefix}${line}`)).join("\n")

/** What `up` would do, read without the lock and without writing anything (not even the journal table). */
export const dryRunPlan = (selection: Selection, withRls: boolean) =>
  Effect.gen(function*() {
    const settings = yield* MigrationConfig
    const current = yield* readPlan
    const batch = yield* Either.match(select(current, selection), { onLeft: Effect.fail, onRight: Effect.succeed })
    let rls: DryRunPlan["rls"]
    if (withRls && settings.rlsEnabled) {
      const fs = yield* FileSystem.FileSystem
      const file = path.resolve(settings.rlsFile)
      // Unreadable reads as missing here: `up` would report it, unless the file is the default one (no RLS stage).
      const text = yield* Effect.option(fs.readFileString(file))
      if (Option.isSome(text) || settings.rlsFileExplicit) {
        rls = { file, statements: Option.getOrUndefined(Option.map(text, (sql) => splitStatements(sql).length)) }
      }
    }
    return { plan: current, run: batch.run, notSelected: batch.notSelected, rls } satisfies DryRunPlan
  })

export const renderDryRun = (dryRun: DryRunPlan): string => {
  const lines: Array<string> = []
  const { run } = dryRun
  lines.push(
    run.length === 0
      ? "Dry run: no pending migrations to apply."
      : `Dry run: ${run.length} migration${run.length === 1 ? "" : "s"} would be applied, in this order:`
  )
  run.forEach((migration, index) => {
    const options = [kind(migration.up), migration.transaction ? "in a transaction" : "without a transaction"]
    if (migration.timeoutMs !== undefined) options.push(`timeout ${migration.timeoutMs}ms`)
    const previous = dryRun.plan.entries.get(migration.id)
    if (previous?.status === "failed") options.push("failed before: retried")
    lines.push("", `${index + 1}. ${migration.id}  ${migration.name}  (${options.join(", ")})`)
    if (migration.description !== undefined && migration.description !== "") lines.push(`   ${migration.description}`)
    if (migration.up._tag === "Sql") lines.push(indent(migration.up.sql, "   | "))
  })
  if (dryRun.notSelected.length > 0) {
    lines.push("", `Not selected (stay pending): ${dryRun.notSelected.map((migration) => migration.id).join(", ")}`)
  }
  for (const { migration } of dryRun.plan.changed) {
    lines.push(`Warning: ${migration.id} changed since it was applied (see \`effect-migrate verify\`)`)
  }
  lines.push(
    "",
    dryRun.rls === undefined
      ? "RLS: skipped"
      : dryRun.rls.statements === undefined
      ? `RLS: ${dryRun.rls.file} not found (up would report it and exit 1)`
      : `RLS: ${dryRun.rls.statements} statements from ${dryRun.rls.file} would run`,
    "Nothing was changed."
  )
  return lines.join("\n")
}
