import { Effect, Layer, Redacted } from "effect"
import * as Config from "./config.js"
import { passwordsIn } from "./database/redaction.js"
import type { MigrationError } from "./errors.js"
import * as Events from "./logging/events.js"
import * as MigrationLogger from "./logging/MigrationLogger.js"
import { failOnFailure, type RunOptions, runMigrationsLive } from "./program.js"

export interface MigrationsLayerOptions extends RunOptions {
  /** Where the log lines go; stdout by default. */
  readonly sink?: MigrationLogger.LogSink | undefined
}

/**
 * Brings the schema up to date while the app's layers are built: put it before the app's own layers.
 * Honours MIGRATION_AUTO_RUN; any failure fails the layer with the typed error, so the app never
 * serves on a half-migrated schema. Uses our log format for its own lines only.
 */
export const makeMigrationsLayer = (options: MigrationsLayerOptions = {}): Layer.Layer<never, MigrationError> =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const settings = yield* Config.loadSettings
      const secrets = passwordsIn([Redacted.value(settings.databaseUrl)])
      const run = settings.autoRun
        ? Effect.asVoid(failOnFailure(runMigrationsLive({ selection: options.selection, rls: options.rls })))
        : Events.autoRunDisabled
      yield* run.pipe(
        Effect.provideService(Config.MigrationConfig, settings),
        Effect.provide(MigrationLogger.layer(settings.logFormat, options.sink ?? MigrationLogger.stdoutSink, secrets))
      )
    })
  )

/** `makeMigrationsLayer()`: every pending migration, then the RLS file, logging to stdout. */
export const MigrationsLayer: Layer.Layer<never, MigrationError> = makeMigrationsLayer()
