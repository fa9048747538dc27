import { Context, Effect, Layer, Logger, LogLevel } from "effect"
import * as Config from "./config.js"
import { Database, type DatabaseService, type TenantTable } from "./database/Database.js"
import { none as noLock } from "./database/MigrationLock.js"
import type { PgErrorInfo } from "./database/pgError.js"
import { parseTarget } from "./database/target.js"
import * as JournalMemory from "./journal/JournalMemory.js"
import type { LogFormat } from "./config.js"
import { makeLogger } from "./logging/MigrationLogger.js"
import type { MigrationDefinition } from "./migration.js"
import { fromArray } from "./source/MigrationSource.js"

export type { MemoryJournalOptions } from "./journal/JournalMemory.js"

/** The journal in memory: records what was applied, runs no SQL. */
export const memoryJournal = JournalMemory.layer

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
      Layer.merge(
        Logger.replace(Logger.defaultLogger, makeLogger(format, (line) => void lines.push(line))),
        Logger.minimumLogLevel(LogLevel.Info)
      )
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
  readonly journal?: JournalMemory.MemoryJournalOptions
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
    JournalMemory.layer(options.journal),
    memoryDatabase(options.database),
    noLock,
    CapturingLogger.layer(options.logFormat)
  )
