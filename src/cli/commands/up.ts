import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { applyUp } from "../applyUp.js"
import { dryRunPlan, renderDryRun } from "../dryRun.js"
import { live, runCommand } from "../environment.js"
import { type GlobalOptions, globalOptions, rootGlobalOptions } from "../globalOptions.js"

const upOnlyOptions = {
  migration: Options.text("migration").pipe(
    Options.withDescription("run only this pending migration (then RLS)"),
    Options.optional
  ),
  to: Options.text("to").pipe(Options.withDescription("run pending migrations up to and including this id"), Options.optional),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("print the plan (ids, names, SQL) and change nothing, not even the journal table")
  ),
  noRls: Options.boolean("no-rls").pipe(Options.withDescription("skip the RLS stage"))
}

export const upOptions = { ...globalOptions, ...upOnlyOptions }

/** The root command's: `up`'s options, with the global flags falling back to their variables. */
export const rootOptions = { ...rootGlobalOptions, ...upOnlyOptions }

export type UpOptions = Command.Command.ParseConfig<typeof upOptions>

const selection = (options: UpOptions) => ({
  only: Option.getOrUndefined(options.migration),
  to: Option.getOrUndefined(options.to)
})

const dryRun = (options: UpOptions) =>
  runCommand(options, { command: "up --dry-run", logToStderr: true }, () =>
    live(dryRunPlan(selection(options), !options.noRls)).pipe(Effect.flatMap((plan) => Console.log(renderDryRun(plan)))))

/** All pending migrations (or the selected ones), then the RLS file; or, with --dry-run, the plan. */
export const runUp = (options: UpOptions) =>
  options.dryRun ? dryRun(options) : applyUp(options satisfies GlobalOptions, selection(options), !options.noRls)

export const upDescription = "Apply pending migrations in order, each in its own transaction, then the RLS file."

export const upCommand = Command.make("up", upOptions, runUp).pipe(
  Command.withDescription(
    `${upDescription} The default command.\n` +
      "Examples: effect-migrate up   |   effect-migrate up --to=20240102000000_create_users --no-rls   |   " +
      "effect-migrate up --dry-run"
  )
)
