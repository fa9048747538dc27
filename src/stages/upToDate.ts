import { Effect, Option } from "effect"
import * as path from "node:path"
import type { MigrationSettings } from "../config.js"
import { probe } from "../database/connect.js"
import { lockKey } from "../database/MigrationLock.js"
import { journalStates, journalStateSql } from "../journal/journalColumns.js"
import * as Events from "../logging/events.js"
import type { Migration } from "../migration.js"
import { listDirectory, loadFiles } from "../source/MigrationSource.js"
import { quoteIdentifier } from "../sql/quote.js"
import { upToDate } from "./discover.js"
import { initBudgetMs, logInitialized } from "./init.js"
import { report } from "./report.js"
import { timeLimit } from "./stageTimeout.js"

export interface UpToDateCheck {
  /**
   * Every registered migration, loaded and validated (init's loading, which the pipeline then need not repeat);
   * undefined when loading failed, so that the pipeline meets and reports the problem in its usual order.
   */
  readonly migrations: ReadonlyArray<Migration> | undefined
  /** The journal, read under the migration lock, has every one applied and unchanged. */
  readonly upToDate: boolean
}

/** Server-side bound on the look: a journal table locked by someone else is left to the pipeline to wait for. */
const statementTimeoutMs = 5_000

/**
 * The start-up that has nothing to do, in one connection and one round trip: the migration files are loaded and
 * checksummed while the connection opens, and one message takes the migration lock (transaction-level, held for
 * that message) and reads the journal.
 *
 * Only "every registered migration applied, with its recorded checksum" is decided here. Anything else (a
 * pending or changed migration, the lock held by another runner, no journal table yet, a row the journal's text
 * cannot stand for exactly, a server that does not answer, a file that does not load) is left to the pipeline,
 * which takes the lock for the whole run and meets and reports the same problem, so nothing is hidden and errors
 * come in the order they always have. This is part of init and spends from init's budget (the pipeline's init
 * gets what is left). Unlike the pipeline, it does not wait for a dead runner's open transaction: whatever that
 * transaction would still change, the journal read here was a committed state, in which nothing was left to do.
 */
export const checkUpToDate = (settings: MigrationSettings): Effect.Effect<UpToDateCheck> =>
  Effect.scoped(
    Effect.gen(function*() {
      // Connecting starts now; the query goes out as soon as the session is ready, while the files are read.
      const connection = yield* Effect.option(probe(settings, statementTimeoutMs + 1_000))
      const table = `${quoteIdentifier(settings.schema)}.${quoteIdentifier(settings.table)}`
      const reply = Option.map(connection, ({ query }) =>
        query(
          `SET LOCAL statement_timeout = ${statementTimeoutMs}; ` +
            `SELECT pg_try_advisory_xact_lock(${lockKey(settings.schema, settings.table)}::bigint); ` +
            journalStateSql(table)
        ))
      // Not left unhandled if loading fails first; awaited below otherwise.
      if (Option.isSome(reply)) reply.value.catch(() => undefined)
      const directory = path.resolve(settings.migrationsDir)
      const names = yield* listDirectory(directory)
      // Files are read synchronously: first let pg send its startup message, so the server sets up the session
      // meanwhile (the loader gives the event loop a turn every millisecond, for the query to go out).
      if (Option.isSome(connection)) yield* Effect.promise(() => connection.value.startupSent)
      const migrations = yield* loadFiles(directory, names)
      if (Option.isNone(reply)) return { migrations, upToDate: false }
      const journal = yield* Effect.option(Effect.tryPromise(() => reply.value))
      if (Option.isNone(journal)) return { migrations, upToDate: false }
      const [, lock, journalText] = journal.value
      const [rows, text] = journalText?.rows[0] ?? []
      const states = typeof rows === "number" && (typeof text === "string" || text === null)
        ? journalStates({ rows, text })
        : undefined
      return { migrations, upToDate: lock?.rows[0]?.[0] === true && states !== undefined && upToDate(migrations, states) }
    })
  ).pipe(
    timeLimit("init", initBudgetMs(settings)),
    // Undecided: the pipeline loads (or waits) again and reports what it meets.
    Effect.orElseSucceed((): UpToDateCheck => ({ migrations: undefined, upToDate: false })),
    Effect.withSpan("effect-migrate/upToDate")
  )

/** What the pipeline logs and returns for a run with nothing to do. */
export const reportUpToDate = (migrations: ReadonlyArray<Migration>, directory: string, startedAt: number) =>
  Effect.gen(function*() {
    yield* logInitialized(startedAt, migrations, directory)
    yield* Events.runningPending(0)
    yield* Events.results(0, 0, 0)
    return yield* report({
      registered: migrations.length,
      startedAt,
      execution: { applied: [], failed: undefined, skipped: [] },
      rls: undefined
    })
  })
