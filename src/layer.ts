import { Effect, Layer, Redacted } from "effect"
import * as Config from "./config.js"
import { passwordsIn, redactSecrets } from "./database/redaction.js"
import type { MigrationError } from "./errors.js"
import * as Events from "./logging/events.js"
import * as MigrationLogger from "./logging/MigrationLogger.js"
import { failOnFailure, runMigrationsLive } from "./program.js"

/**
 * Brings the schema up to date while the app's layers are built: put it before the app's own layers.
 * Honours MIGRATION_AUTO_RUN; any failure fails the layer with the typed error, so the app never
 * serves on a half-migrated schema. Uses our log format for its own lines only.
 */
export const MigrationsLayer: Layer.Layer<never, MigrationError> = Layer.effectDiscard(
  Effect.gen(function*() {
    const settings = yield* Config.loadSettings
    const secrets = passwordsIn([Redacted.value(settings.databaseUrl)])
    const run = settings.autoRun ? Effect.asVoid(failOnFailure(runMigrationsLive())) : Events.autoRunDisabled
    yield* run.pipe(
      Effect.provideService(Config.MigrationConfig, settings),
      Effect.provide(MigrationLogger.layer(settings.logFormat, (line) => {
        MigrationLogger.stdoutSink(redactSecrets(secrets, line))
      }))
    )
  })
)
