import { Effect, type Layer } from "effect"
import { loadSettings, MigrationConfig, type MigrationSettings } from "../config.js"
import * as Events from "../logging/events.js"
import * as MigrationLogger from "../logging/MigrationLogger.js"
import { liveServices } from "../program.js"

/** Errors already written to the log, so the CLI does not print them twice. */
export const loggedErrors = new WeakSet<object>()

export const markLogged = <A, E extends { readonly _tag: string; readonly message: string }, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, (error) =>
    Effect.zipRight(
      loggedErrors.has(error)
        ? Effect.void
        : Events.aborted(error._tag, {
          message: error.message,
          code: "code" in error && typeof error.code === "string" ? error.code : undefined
        }),
      Effect.sync(() => loggedErrors.add(error))
    ))

export interface EnvironmentOptions {
  /** Logs to stderr, keeping stdout for a command's output (`status --json`). */
  readonly logToStderr?: boolean
}

/** Reads the settings (flags over environment) and installs the logger they ask for. */
export const withSettings = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  f: (settings: MigrationSettings) => Effect.Effect<A, E, R>,
  options: EnvironmentOptions = {}
) =>
  Effect.flatMap(loadSettings, (settings) =>
    f(settings).pipe(
      markLogged,
      Effect.provideService(MigrationConfig, settings),
      Effect.provide(
        MigrationLogger.layer(settings.logFormat, options.logToStderr ? MigrationLogger.stderrSink : MigrationLogger.stdoutSink)
      )
    ))

/** The live database, journal, lock and migration source. */
export const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, liveServices)

export type LiveServices = Layer.Layer.Success<typeof liveServices>
