import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { MigrationNotFound } from "../../errors.js"
import type { Plan } from "../../stages/discover.js"
import { live, runCommand } from "../environment.js"
import { globalOptions } from "../globalOptions.js"
import { recordAllApplied, renderRecordPlan, underLock } from "../recordApplied.js"
import { readPlan } from "../state.js"

const baselineOptions = {
  ...globalOptions,
  to: Options.text("to").pipe(
    Options.withDescription("the last migration to record as applied: every migration up to and including it is recorded")
  ),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print what would be recorded and change nothing"))
}

/** Pure: the migrations up to and including `to`, in order, without those the journal has as applied already. */
export const baselineOf = (plan: Plan, to: string) => {
  const index = plan.migrations.findIndex((migration) => migration.id === to)
  if (index < 0) {
    return new MigrationNotFound({
      id: to,
      message: plan.entries.has(to)
        ? `baseline --to ${to}: it is in the journal but has no file; name a migration on disk`
        : `baseline --to ${to}: no migration on disk has this id (\`effect-migrate status\` lists them)`
    })
  }
  const upTo = plan.migrations.slice(0, index + 1)
  const record = upTo.filter((migration) => plan.entries.get(migration.id)?.status !== "applied")
  return { record, alreadyApplied: upTo.length - record.length }
}

const baselineFrom = (to: string) =>
  Effect.flatMap(readPlan, (plan) => {
    const result = baselineOf(plan, to)
    return result instanceof MigrationNotFound ? Effect.fail(result) : Effect.succeed(result)
  })

const appliedNote = (count: number) =>
  count === 0 ? [] : [`${count} migration${count === 1 ? " is" : "s are"} applied already and left as recorded.`]

/** Records every migration up to `to` as applied, in one transaction, under the lock; `dryRun` only prints it. */
export const baseline = (to: string, dryRun: boolean) =>
  (dryRun
    ? Effect.flatMap(baselineFrom(to), ({ alreadyApplied, record }) =>
      Console.log(renderRecordPlan(`Dry run: baseline --to ${to}`, record, [...appliedNote(alreadyApplied), "Nothing was changed."])))
    : underLock(Effect.flatMap(baselineFrom(to), ({ alreadyApplied, record }) =>
      recordAllApplied(
        "baselined",
        record,
        `baseline up to ${to}${alreadyApplied === 0 ? "" : `, ${alreadyApplied} applied already and left alone`}`
      )))).pipe(Effect.withSpan("effect-migrate/baseline", { attributes: { to, dryRun } }))

export const baselineCommand = Command.make("baseline", baselineOptions, (options) =>
  runCommand(options, { command: "baseline" }, () => live(baseline(options.to, options.dryRun)))).pipe(
    Command.withDescription(
      "Record every migration up to and including --to as applied, without running them, in one transaction: " +
        "adopts a database whose schema is already there. Migrations already applied are left alone.\n" +
        "Examples: effect-migrate baseline --to 20240102000000_create_users --dry-run   |   " +
        "effect-migrate baseline --to 20240102000000_create_users"
    )
  )
