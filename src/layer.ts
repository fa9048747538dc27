import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, Redacted } from "effect"
import * as Config from "./config.js"
import { announceDefaultUrl } from "./database/defaultUrl.js"
import { memory } from "./database/pglite.js"
import { passwordsIn } from "./database/redaction.js"
import { parseTarget } from "./database/target.js"
import { ConfigError, type MigrationError } from "./errors.js"
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
 * `pglite:memory` is a database of its own for each client: migrating one that the app's client never sees would
 * start the app on an empty schema. Allowed only when the app gives the layer its own PgClient (see docs/first-run.md).
 */
const refuseUnsharedMemory = (settings: Config.MigrationSettings) =>
  Effect.flatMap(Effect.serviceOption(PgClient.PgClient), (appClient) =>
    parseTarget(Redacted.value(settings.databaseUrl)).dataDir === memory && Option.isNone(appClient)
      ? Effect.fail(
        new ConfigError({
          variable: "DATABASE_URL",
          message: "DATABASE_URL=pglite:memory under MigrationsLayer would migrate a database that the app's client " +
            "never sees: provide the app's PgClient layer to the migrations layer " +
            "(makeMigrationsLayer().pipe(Layer.provide(AppSqlLive))), or use pglite:<dir>"
        })
      )
      : Effect.void)

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
      // The default URL's password is the documented one, not a secret to mask in every line.
      const secrets = settings.databaseUrlSet ? passwordsIn([Redacted.value(settings.databaseUrl)]) : []
      if (settings.autoRun) yield* refuseUnsharedMemory(settings)
      const run = settings.autoRun
        ? Effect.asVoid(failOnFailure(runMigrationsLive({ selection: options.selection, rls: options.rls }, source)))
        : Events.autoRunDisabled
      yield* Effect.zipRight(announceDefaultUrl(settings), run).pipe(
        Effect.provideService(Config.MigrationConfig, settings),
        Effect.provide(MigrationLogger.layer(settings.logFormat, options.sink ?? MigrationLogger.stdoutSink, secrets))
      )
    })
  )

/** `makeMigrationsLayer()`: every pending migration, then the RLS file, logging to stdout. */
export const MigrationsLayer: Layer.Layer<never, MigrationError> = makeMigrationsLayer()
