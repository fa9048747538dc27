import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { runMigrationsLive } from "../../program.js"
import { withSettings } from "../environment.js"
import { ExitCode } from "../exitCode.js"
import { globalOptions, withFlags } from "../globalOptions.js"

export const upOptions = {
  ...globalOptions,
  migration: Options.text("migration").pipe(
    Options.withDescription("run only this pending migration (then RLS)"),
    Options.optional
  ),
  to: Options.text("to").pipe(Options.withDescription("run pending migrations up to and including this id"), Options.optional),
  noRls: Options.boolean("no-rls").pipe(Options.withDescription("skip the RLS stage"))
}

export type UpOptions = Command.Command.ParseConfig<typeof upOptions>

/** All pending migrations (or the selected ones), then the RLS file. */
export const runUp = (options: UpOptions) =>
  withSettings(() =>
    runMigrationsLive({
      selection: { only: Option.getOrUndefined(options.migration), to: Option.getOrUndefined(options.to) },
      rls: !options.noRls
    }).pipe(
      Effect.tap((report) =>
        Effect.sync(() => {
          process.exitCode = report.success ? ExitCode.success : ExitCode.failed
        })
      )
    )
  ).pipe(withFlags(options))

export const upCommand = Command.make("up", upOptions, runUp).pipe(
  Command.withDescription(
    "Apply pending migrations, then the RLS file (the default command).\n" +
      "Example: effect-migrate up --to=20240102000000_add_color"
  )
)
