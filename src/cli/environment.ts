import { Effect, type Layer, Redacted } from "effect"
import { loadSettings, MigrationConfig, type MigrationSettings } from "../config.js"
import { passwordsIn } from "../database/redaction.js"
import * as Events from "../logging/events.js"
import * as MigrationLogger from "../logging/MigrationLogger.js"
import { liveServices } from "../program.js"
import * as CliEvents from "./events.js"
import * as Progress from "./progress.js"

/** Errors already written to the log, so the CLI does not print them twice. */
export const loggedErrors = new WeakSet<object>()

type Failure = { readonly _tag: string; readonly message: string }

const detail = (error: Failure) => ({
  message: error.message,
  code: "code" in error && typeof error.code === "string" ? error.code : undefined
})

/** Logs a command's failure once (as `up`'s abort line, or naming the command), and remembers that it did. */
export const markLogged = (command: string | undefined) => <A, E extends Failure, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, (error) =>
    Effect.zipRight(
      loggedErrors.has(error)
        ? Effect.void
        : command === undefined
        ? Events.aborted(error._tag, detail(error))
        : CliEvents.commandFailed(command, error._tag, detail(error)),
      Effect.sync(() => loggedErrors.add(error))
    ))

/** Marks an error as logged by the code that logged it. */
export const alreadyLogged = <E extends object>(error: E): E => {
  loggedErrors.add(error)
  return error
}

export interface EnvironmentOptions {
  /** Names the command in the line that logs its failure; `up` logs its own abort line. */
  readonly command?: string
  /** Logs to stderr, keeping stdout for a command's output (`status --json`). */
  readonly logToStderr?: boolean
  /** On a terminal, a progress line (migration k of n) on stderr. */
  readonly progress?: boolean
}

/** Reads the settings (flags over environment) and installs the logger they ask for. */
export const withSettings = <A, E extends Failure, R>(
  f: (settings: MigrationSettings) => Effect.Effect<A, E, R>,
  options: EnvironmentOptions = {}
) =>
  Effect.flatMap(loadSettings, (settings) => {
    const sink = options.logToStderr ? MigrationLogger.stderrSink : MigrationLogger.stdoutSink
    const secrets = passwordsIn([Redacted.value(settings.databaseUrl)])
    const self = f(settings).pipe(markLogged(options.command), Effect.provideService(MigrationConfig, settings))
    return options.progress && Progress.progressWanted(settings.logFormat)
      ? Progress.logTo(settings.logFormat, sink, secrets)(self)
      : Effect.provide(self, MigrationLogger.layer(settings.logFormat, sink, secrets))
  })

/** The live database, journal, lock and migration source. */
export const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, liveServices)

export type LiveServices = Layer.Layer.Success<typeof liveServices>
