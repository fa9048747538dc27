import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Clock, Context, Effect, Layer } from "effect"
import * as Config from "./config.js"
import * as DatabaseLayer from "./database/Database.js"
import { Database, type DatabaseService, type TenantTable } from "./database/Database.js"
import { none as noLock } from "./database/MigrationLock.js"
import type { PgErrorInfo } from "./database/pgError.js"
import { pgliteClient } from "./database/pglite.js"
import { parseTarget } from "./database/target.js"
import type { MigrationError } from "./errors.js"
import * as MigrationGroups from "./execution/batch.js"
import * as ExecutorLive from "./execution/ExecutorLive.js"
import * as ExecutorMemory from "./execution/ExecutorMemory.js"
import type { MigrationExecutor } from "./execution/MigrationExecutor.js"
import type { Journal } from "./journal/Journal.js"
import * as JournalLive from "./journal/JournalLive.js"
import * as JournalMemory from "./journal/JournalMemory.js"
import type { LogFormat } from "./config.js"
import * as MigrationLogger from "./logging/MigrationLogger.js"
import type { MigrationDefinition } from "./migration.js"
import { failOnFailure, runMigrations } from "./program.js"
import type { MigrationReport } from "./report.js"
import { fromArray, fromDirectory } from "./source/MigrationSource.js"

export type { MemoryExecutorOptions } from "./execution/ExecutorMemory.js"

/** Rows already in the journal (`entries`), and how the memory executor runs migrations (`failing`, `durationMs`). */
export type MemoryJournalOptions = JournalMemory.MemoryJournalOptions & ExecutorMemory.MemoryExecutorOptions

/**
 * The journal in memory, and an executor that runs no SQL and writes to it: records what was applied, refuses to
 * overwrite an applied row as the live journal does.
 */
export const memoryJournal = (options: MemoryJournalOptions = {}): Layer.Layer<Journal | MigrationExecutor> =>
  ExecutorMemory.layer(options).pipe(Layer.provideMerge(JournalMemory.layer(options)))

/** The memory executor alone, on the Journal of the environment. */
export const memoryExecutor = ExecutorMemory.layer

export interface CapturedLogs {
  /** Every line written so far, in order. */
  readonly lines: Effect.Effect<ReadonlyArray<string>>
  /** The text lines without their `[timestamp] ` prefix. */
  readonly messages: Effect.Effect<ReadonlyArray<string>>
  readonly clear: Effect.Effect<void>
}

/** Collects the log lines of a run, in the text format (default) or as JSON lines. */
export class CapturingLogger extends Context.Tag("effect-migrate/CapturingLogger")<CapturingLogger, CapturedLogs>() {
  static layer(format: LogFormat = "text"): Layer.Layer<CapturingLogger> {
    const lines: Array<string> = []
    return Layer.merge(
      Layer.succeed(
        CapturingLogger,
        CapturingLogger.of({
          lines: Effect.sync(() => [...lines]),
          messages: Effect.sync(() => lines.map((line) => line.replace(/^\[[^\]]+\] /, ""))),
          clear: Effect.sync(() => void lines.splice(0))
        })
      ),
      MigrationLogger.layer(format, (line) => void lines.push(line))
    )
  }
}

export interface MemoryDatabaseOptions {
  /** Makes a statement fail: return the error it should fail with. */
  readonly failStatement?: (statement: string) => PgErrorInfo | undefined
  /** Tables the RLS coverage check should see. */
  readonly tenantTables?: ReadonlyArray<TenantTable>
}

export interface MemoryDatabase extends DatabaseService {
  /** Statements executed so far (the RLS stage's). */
  readonly executed: ReadonlyArray<string>
}

/** A database that records statements instead of running them. */
export const memoryDatabase = (options: MemoryDatabaseOptions = {}): Layer.Layer<Database> =>
  Layer.sync(Database, () => {
    const executed: Array<string> = []
    const service: MemoryDatabase = {
      target: parseTarget("pglite:memory"),
      executed,
      executeStatement: (statement) =>
        Effect.suspend(() => {
          executed.push(statement)
          const failure = options.failStatement?.(statement)
          return failure === undefined ? Effect.void : Effect.fail(failure)
        }),
      tenantTables: () => Effect.succeed(options.tenantTables ?? [])
    }
    return service
  })

export interface TestLayerOptions {
  readonly migrations: ReadonlyArray<MigrationDefinition>
  readonly settings?: Parameters<typeof Config.make>[0]
  readonly journal?: MemoryJournalOptions
  readonly database?: MemoryDatabaseOptions
  readonly logFormat?: LogFormat
}

/**
 * Everything `runMigrations` needs, in memory: migrations from an array, the memory journal,
 * a recording database, no lock, and a capturing logger.
 */
export const testLayer = (options: TestLayerOptions) =>
  Layer.mergeAll(
    Config.layer({ rlsFile: "none", ...options.settings }),
    fromArray(options.migrations),
    memoryJournal(options.journal),
    memoryDatabase(options.database),
    noLock,
    CapturingLogger.layer(options.logFormat)
  )

export interface PgliteTestOptions {
  /** The app's migrations directory (`.sql`, `.ts`, `.js`), relative to the working directory. Default `migrations`. */
  readonly migrationsDir?: string
  /** Migrations given in code instead of a directory. */
  readonly migrations?: ReadonlyArray<MigrationDefinition>
  /** An RLS file to run after the migrations, e.g. `sql/enable-rls.sql`. None by default. */
  readonly rlsFile?: string
  /** A data directory to keep the database in (locked while the layer lives); in memory by default. */
  readonly dataDir?: string
  /** Any other setting (schema, journal table, timeout). */
  readonly settings?: Parameters<typeof Config.make>[0]
}

export interface PgliteTestService {
  /** What the migration run did. */
  readonly report: MigrationReport
  /** The run's log, in the text format. */
  readonly logs: ReadonlyArray<string>
}

/**
 * A real PostgreSQL (PGlite, in memory) with the app's migrations applied: provides `SqlClient` and
 * `PgClient` on that database, and `PgliteTest` with the run's report and log. Fails with the typed
 * error if a migration fails, so the test never runs on a half-migrated schema.
 */
export class PgliteTest extends Context.Tag("effect-migrate/PgliteTest")<PgliteTest, PgliteTestService>() {
  static layer(
    options: PgliteTestOptions = {}
  ): Layer.Layer<PgliteTest | SqlClient.SqlClient | PgClient.PgClient, MigrationError> {
    return Layer.scopedContext(
      Effect.gen(function*() {
        const lines: Array<string> = []
        const dataDir = options.dataDir ?? "memory"
        const settings = Config.make({
          rlsFile: options.rlsFile ?? "none",
          migrationsDir: options.migrationsDir ?? "migrations",
          ...options.settings,
          databaseUrl: `pglite:${dataDir}`
        })
        const logger = MigrationLogger.layer("text", (line) => void lines.push(line))
        const client = yield* pgliteClient(dataDir).pipe(Effect.provide(logger))
        const source = options.migrations === undefined ? fromDirectory(settings.migrationsDir) : fromArray(options.migrations)
        const services = Layer.mergeAll(Layer.merge(ExecutorLive.layer, MigrationGroups.layer).pipe(Layer.provideMerge(JournalLive.layer)), DatabaseLayer.layer(parseTarget(`pglite:${dataDir}`)), noLock, source).pipe(
          Layer.provideMerge(Layer.succeed(SqlClient.SqlClient, client)),
          Layer.provideMerge(Layer.succeed(Config.MigrationConfig, settings))
        )
        const report = yield* failOnFailure(runMigrations()).pipe(
          Effect.provide(services),
          Effect.provide(logger),
          // Under it.layer the TestClock is installed: real time keeps durations and log times meaningful.
          Effect.withClock(Clock.make())
        )
        return Context.make(PgliteTest, PgliteTest.of({ report, logs: lines })).pipe(
          Context.add(SqlClient.SqlClient, client),
          Context.add(PgClient.PgClient, client)
        )
      })
    ).pipe(Layer.provide(Reactivity.layer))
  }
}
