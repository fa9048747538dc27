export * as Migration from "./migration.js"
export type { LegacyDb, LegacyMigrationFunction, MigrationBody, MigrationDefinition } from "./migration.js"
export {
  defaults,
  layer as configLayer,
  layerFromEnv as configFromEnv,
  loadSettings,
  MigrationConfig,
  type MigrationSettings
} from "./config.js"
export * from "./errors.js"
export { AlreadyApplied, Journal, type JournalEntry, type JournalService } from "./journal/Journal.js"
export { layer as JournalLive } from "./journal/JournalLive.js"
export { MigrationExecutor, type MigrationExecutorService, type RunOptions as MigrationRunOptions } from "./execution/MigrationExecutor.js"
export { layer as MigrationExecutorLive } from "./execution/ExecutorLive.js"
export { Database, type DatabaseService } from "./database/Database.js"
export { layer as DatabaseLive } from "./database/connect.js"
export { MigrationLock } from "./database/MigrationLock.js"
export {
  fromArray as migrationsFromArray,
  fromConfig as migrationsFromConfig,
  fromDirectory as migrationsFromDirectory,
  MigrationSource
} from "./source/MigrationSource.js"
export * as MigrationLogger from "./logging/MigrationLogger.js"
export { makeMigrationsLayer, MigrationsLayer, type MigrationsLayerOptions } from "./layer.js"
export {
  failOnFailure,
  liveServices,
  liveServicesWith,
  pipeline,
  runMigrations,
  runMigrationsLive,
  type RunOptions
} from "./program.js"
export type { AppliedMigration, FailedMigration, MigrationReport, RlsOutcome } from "./report.js"
export { statusOf, type MigrationStatus, type StatusReport } from "./status.js"
export { plan, type Plan } from "./stages/discover.js"
