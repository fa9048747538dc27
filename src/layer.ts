import { Effect, Layer, Redacted } from "effect"
import * as Config from "./config.js"
import { passwordsIn } from "./database/redaction.js"
import type { MigrationError } from "./errors.js"
import * as Events from "./logging/events.js"
import * as MigrationLogger from "./logging/MigrationLogger.js"
import type { MigrationDefinition } from "./migration.js"
import { failOnFailure, type RunOptions, runMigrationsLive } from "./program.js"
import * as MigrationSource from "./source/MigrationSource.js"

export interface MigrationsLayerOptions extends RunOptions {
  /** Where the log lines go; stdout by default. */
  readonly sink?: MigrationLogger.LogSink | undefined
  /**
   * The app's migrations, given in code (bundled with the app) instead of read from MIGRATIONS_DIR:
   * `Migration.make({ id, timestamp, up })` values, or plain definitions.
   */
  readonly migrations?: ReadonlyArray<MigrationDefinition> | undefined
}

/**
 * Brings the schema up to date while the app's layers are built: put it before the app's own layers.
 * The migrations are MIGRATIONS_DIR's files, or `options.migrations` when the app bundles them in code.
 * Honours MIGRATION_AUTO_RUN; any failure fails the layer with the typed error, so the app never
 * serves on a half-migrated schema. Uses our log format for its own lines only.
 */
export const makeMigrationsLayer = (options: MigrationsLayerOptions = {}): Layer.Layer<never, MigrationError> =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const settings = yield* Config.loadSettings
      const source = options.migrations === undefined
        ? MigrationSource.fromConfig
        : MigrationSource.fromArray(options.migrations)
      const secrets = passwordsIn([Redacted.value(settings.databaseUrl)])
      const run = settings.autoRun
        ? Effect.asVoid(failOnFailure(runMigrationsLive({ selection: options.selection, rls: options.rls }, source)))
        : Events.autoRunDisabled
      yield* run.pipe(
        Effect.provideService(Config.MigrationConfig, settings),
        Effect.provide(MigrationLogger.layer(settings.logFormat, options.sink ?? MigrationLogger.stdoutSink, secrets))
      )
    })
  )

/** `makeMigrationsLayer()`: every pending migration, then the RLS file, logging to stdout. */
export const MigrationsLayer: Layer.Layer<never, MigrationError> = makeMigrationsLayer()
