import { Effect, Option, type Scope } from "effect"
import * as path from "node:path"
import type { MigrationSettings } from "../config.js"
import { probe, type ProbeConnection } from "../database/connect.js"
import { lockKey } from "../database/MigrationLock.js"
import { journalStates, journalStateSql, journalTableName } from "../journal/journalColumns.js"
import * as Events from "../logging/events.js"
import { type LoadedModules, listDirectory, loadFingerprints } from "../source/MigrationSource.js"
import { appliedAsRecorded } from "./discover.js"
import { initBudgetMs, logInitialized } from "./init.js"
import { report } from "./report.js"
import { timeLimit } from "./stageTimeout.js"

/**
 * What the up-to-date check found: nothing to do (`upToDate`), or something for the pipeline to do or report, with
 * the modules the check imported (the pipeline runs the code the check loaded and checksummed).
 */
export type UpToDateCheck =
  | { readonly upToDate: true; readonly registered: number; readonly directory: string }
  | { readonly upToDate: false; readonly loadedModules?: LoadedModules | undefined }

const undecided: UpToDateCheck = { upToDate: false }

/** Server-side bound on the look: a journal table locked by someone else is left to the pipeline to wait for. */
const statementTimeoutMs = 5_000

/**
 * The start-up that has nothing to do, in one connection and one round trip: the migration files are read and
 * checksummed while the connection opens, and one message takes the migration lock (transaction-level, held for
 * that message) and reads the journal.
 *
 * Only "every registered migration applied, with its recorded checksum" is decided here (a row without a checksum
 * goes to the pipeline). The `.sql` files' statements are not parsed for it: a file with the checksum it was
 * applied with is the file that was validated then, and will not run again. Anything else (a pending or changed migration, the lock held by another runner, no
 * journal table yet, a row the journal's text cannot stand for exactly, a server that does not answer, a file that
 * does not load) is left to the pipeline, which loads and validates every migration, takes the lock for the whole
 * run, and meets and reports the same problem, so nothing is hidden and errors come in the order they always
 * have. This is part of init and spends from init's budget (the pipeline's init gets what is left). Unlike the
 * pipeline, it does not wait for a dead runner's open transaction: whatever that transaction would still change,
 * the journal read here was a committed state, in which nothing was left to do.
 *
 * Connecting starts at once, in the caller's scope, and the effect returned does the rest: the server forks and
 * sets up the session while the caller logs its first lines, and the connection is ended when that scope closes.
 */
export const beginUpToDateCheck = (settings: MigrationSettings): Effect.Effect<Effect.Effect<UpToDateCheck>, never, Scope.Scope> =>
  Effect.map(Effect.option(probe(settings, statementTimeoutMs + 1_000)), (connection) => lookAtJournal(settings, connection))

const lookAtJournal = (settings: MigrationSettings, connection: Option.Option<ProbeConnection>): Effect.Effect<UpToDateCheck> =>
  Effect.gen(function*() {
    // The query goes out as soon as the session is ready, while the files are read.
    const reply = Option.map(connection, ({ query }) =>
      query(
        `SET LOCAL statement_timeout = ${statementTimeoutMs}; ` +
          `SELECT pg_try_advisory_xact_lock(${lockKey(settings.schema, settings.table)}::bigint); ` +
          journalStateSql(journalTableName(settings.schema, settings.table))
      ))
    // Not left unhandled if loading fails first; awaited below otherwise.
    if (Option.isSome(reply)) reply.value.catch(() => undefined)
    const directory = path.resolve(settings.migrationsDir)
    const names = yield* listDirectory(directory)
    // Files are read synchronously: first let pg send its startup message, so the server sets up the session
    // meanwhile (the loader gives the event loop a turn every millisecond, for the query to go out).
    if (Option.isSome(connection)) yield* Effect.promise(() => connection.value.startupSent)
    const fingerprints = yield* loadFingerprints(directory, names)
    const pipelineNext: UpToDateCheck = {
      upToDate: false,
      loadedModules: new Map(fingerprints.filter((entry) => "up" in entry).map((module) => [module.source, module]))
    }
    if (Option.isNone(reply)) return pipelineNext
    const journal = yield* Effect.option(Effect.tryPromise(() => reply.value))
    if (Option.isNone(journal)) return pipelineNext
    const [, lock, journalText] = journal.value
    const [rows, text] = journalText?.rows[0] ?? []
    const states = typeof rows === "number" && (typeof text === "string" || text === null)
      ? journalStates({ rows, text })
      : undefined
    return lock?.rows[0]?.[0] === true && states !== undefined && appliedAsRecorded(fingerprints, states)
      ? { upToDate: true, registered: fingerprints.length, directory }
      : pipelineNext
  }).pipe(
    timeLimit("init", initBudgetMs(settings)),
    // Undecided: the pipeline loads (or waits) again and reports what it meets.
    Effect.orElseSucceed(() => undecided),
    Effect.withSpan("effect-migrate/upToDate")
  )

/** What the pipeline logs and returns for a run with nothing to do. */
export const reportUpToDate = (registered: number, directory: string, startedAt: number) =>
  Effect.gen(function*() {
    yield* logInitialized(startedAt, registered, directory)
    yield* Events.runningPending(0)
    yield* Events.results(0, 0, 0)
    return yield* report({
      registered,
      startedAt,
      execution: { applied: [], failed: undefined, skipped: [] },
      rls: undefined
    })
  })
