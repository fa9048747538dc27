import { Effect, type Layer } from "effect"
import { loadSettings, MigrationConfig, type MigrationSettings } from "../config.js"
import { announceDefaultUrl } from "../database/defaultUrl.js"
import * as Events from "../logging/events.js"
import * as MigrationLogger from "../logging/MigrationLogger.js"
import { liveServices } from "../program.js"
import * as CliEvents from "./events.js"
import { reported, Reported } from "./exitCode.js"
import { type GlobalOptions, withFlags } from "./globalOptions.js"
import { Secrets } from "./output.js"
import * as Progress from "./progress.js"

type Failure = { readonly _tag: string; readonly message: string }

const detail = (error: Failure) => ({
  message: error.message,
  code: "code" in error && typeof error.code === "string" ? error.code : undefined
})

/** Logs a command's failure once (as `up`'s abort line, or naming the command); it leaves as `Reported`. */
const logFailure = (command: string | undefined) => <A, E extends Failure, R>(self: Effect.Effect<A, E, R>) =>
  Effect.catchAll(self, (error) =>
    error instanceof Reported
      ? Effect.fail(error)
      : Effect.zipRight(
        command === undefined ? Events.aborted(error._tag, detail(error)) : CliEvents.commandFailed(command, error._tag, detail(error)),
        Effect.fail(reported(error))
      ))

export interface CommandOptions {
  /** Names the command in the line that logs its failure; `up` logs its own abort line. */
  readonly command?: string
  /** Logs to stderr, keeping stdout for a command's output (`status --json`). */
  readonly logToStderr?: boolean
  /** On a terminal, a progress line (migration k of n) on stderr. */
  readonly progress?: boolean
}

/** The logger the settings ask for, without the run's secrets, with a progress line where wanted. */
const loggerFor = (settings: MigrationSettings, options: CommandOptions) =>
  Effect.gen(function*() {
    const secrets = yield* Secrets
    const sink = options.logToStderr ? MigrationLogger.stderrSink : MigrationLogger.stdoutSink
    const progress = options.progress === true && (yield* Progress.progressWanted(settings.logFormat))
    return progress
      ? Progress.layer(settings.logFormat, sink, secrets)
      : MigrationLogger.layer(settings.logFormat, sink, secrets)
  })

/**
 * Runs a command: reads its settings (its flags over the environment), installs the logger they ask for, and logs
 * its failure once. A failure to read the settings is left for the exit code's place to print.
 */
export const runCommand = <A, E extends Failure, R>(
  flags: GlobalOptions,
  options: CommandOptions,
  f: (settings: MigrationSettings) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const settings = yield* loadSettings
    const logger = yield* loggerFor(settings, options)
    return yield* Effect.zipRight(announceDefaultUrl(settings), f(settings)).pipe(
      logFailure(options.command),
      Effect.provideService(MigrationConfig, settings),
      Effect.provide(logger)
    )
  }).pipe(withFlags(flags))

/** The live database, journal, lock and migration source. */
export const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, liveServices)

export type LiveServices = Layer.Layer.Success<typeof liveServices>
