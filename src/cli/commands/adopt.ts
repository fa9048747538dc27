import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { adoptionRefused } from "../../adopt/AdoptionRefused.js"
import { historyOf, type TableName, type Tool, tools } from "../../adopt/histories.js"
import { type AdoptionPlan, planAdoption } from "../../adopt/plan.js"
import { readHistory } from "../../adopt/readHistory.js"
import { MigrationConfig } from "../../config.js"
import type { Migration } from "../../migration.js"
import { live, runCommand } from "../environment.js"
import { globalOptions } from "../globalOptions.js"
import { recordAllApplied, renderRecordPlan, underLock } from "../recordApplied.js"
import { readPlan } from "../state.js"

const adoptOptions = {
  ...globalOptions,
  from: Options.choice("from", tools).pipe(Options.withDescription("the tool whose history table to read")),
  historyTable: Options.text("history-table").pipe(
    Options.withDescription("that tool's history table, [schema.]table, when not at its default place"),
    Options.optional
  ),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan and change nothing"))
}

/** The history table: the flag's `[schema.]table`, else the tool's default, in DATABASE_SCHEMA unless it has its own. */
const tableOf = (tool: Tool, flag: Option.Option<string>, schema: string): TableName => {
  const given = Option.getOrUndefined(flag)
  if (given !== undefined) {
    const dot = given.indexOf(".")
    return dot < 0 ? { schema, name: given } : { schema: given.slice(0, dot), name: given.slice(dot + 1) }
  }
  const table = historyOf(tool).table
  return { schema: table.schema ?? schema, name: table.name }
}

const idList = (migrations: ReadonlyArray<Migration>) => migrations.map((migration) => migration.id).join(", ")

const render = (title: string, plan: AdoptionPlan, record: ReadonlyArray<Migration>, kept: number) =>
  renderRecordPlan(title, record, [
    ...(kept === 0 ? [] : [`${kept} of them already applied in our journal, left as recorded.`]),
    ...(plan.pending.length === 0 ? [] : [`Not applied by that tool (${plan.pending.length}, left as our journal has them): ${idList(plan.pending)}`]),
    ...plan.unmatched.map((key) => `Not matched: ${key} is in its history, and no migration file has this key.`),
    ...plan.problems.map((problem) => `Problem: ${problem}`)
  ])

/** Reads the tool's history, matches it to the files, prints the plan; records it unless `dryRun` or anything is off. */
const adoption = (tool: Tool, historyTable: Option.Option<string>, dryRun: boolean) =>
  Effect.gen(function*() {
    const { schema } = yield* MigrationConfig
    const at = tableOf(tool, historyTable, schema)
    const name = `${at.schema}.${at.name}`
    const current = yield* readPlan
    const history = yield* readHistory(tool, historyOf(tool), at)
    const plan = planAdoption(historyOf(tool), history, current.migrations)
    const record = plan.record.filter((migration) => current.entries.get(migration.id)?.status !== "applied")
    const title = `${dryRun ? "Dry run: adopt" : "Adopt"} ${tool}'s history from ${name}`
    yield* Console.log(render(title, plan, record, plan.record.length - record.length))
    const reasons = [
      ...plan.problems,
      ...plan.unmatched.map((key) => `${key} is in its history and matches no migration file`)
    ]
    if (reasons.length > 0) return yield* adoptionRefused(tool, name, reasons)
    if (dryRun) return yield* Console.log("Nothing was changed.")
    yield* recordAllApplied("adopted", record, `adopted from ${tool}'s ${name}, which was only read`)
  }).pipe(Effect.withSpan("effect-migrate/adopt", { attributes: { tool, dryRun } }))

export const adoptCommand = Command.make("adopt", adoptOptions, (options) =>
  runCommand(options, { command: "adopt" }, () =>
    live(
      options.dryRun
        ? adoption(options.from, options.historyTable, true)
        : underLock(adoption(options.from, options.historyTable, false))
    ))).pipe(
    Command.withDescription(
      `Adopt another tool's history: read its table (only read), match it to the migration files, print the plan, and ` +
        `record the migrations it applied as applied here, in one transaction. Refuses a dirty or failed entry, and ` +
        `rows or files that do not match, naming them. Tools: ${tools.join(", ")}.\n` +
        "Examples: effect-migrate adopt --from golang-migrate --dry-run   |   effect-migrate adopt --from prisma"
    )
  )
