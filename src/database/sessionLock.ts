import { Deferred, Effect, Either, LogLevel } from "effect"
import { DatabaseError, LockLost, LockTimeout } from "../errors.js"
import * as Events from "../logging/events.js"
import { databaseError, pgErrorInfo } from "./pgError.js"

/**
 * The session advisory lock's steps on its own connection: take it (or wait for it), let dead runners' transactions
 * settle, watch the connection, release it. `MigrationLock.advisory` puts them together.
 */

/** One raw statement (or several) on the lock's dedicated connection. */
export type LockQuery = (text: string) => Effect.Effect<unknown, unknown>

/** How often the lock's connection is checked; a check that gets no answer within `heartbeatTimeoutMs` is a loss. */
const heartbeatMs = 1_000
const heartbeatTimeoutMs = 10_000

/** How long one blocking attempt waits before the waiter logs who holds the lock and tries again. */
const reportEveryMs = 5_000


/** The innermost message of an error (SqlError's own is "Failed to execute statement"). */
const innermost = (error: unknown): string => {
  let current: unknown = error
  while (typeof current === "object" && current !== null && "cause" in current && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : pgErrorInfo(current).message
}

const lockLost = (cause: unknown) =>
  new LockLost({
    code: pgErrorInfo(cause).code,
    message: `the migration lock was lost: its connection ended (${innermost(cause)}). ` +
      "The running migration was interrupted and rolled back, and the run stopped, since another runner may now be " +
      "migrating; run again (`effect-migrate status` shows what is applied)"
  })

/**
 * Writing transactions of earlier runners in this database, other than our own connection. A runner killed
 * mid-migration loses its lock at once, but its migration's backend may still be finishing: it rolls back
 * when the server notices the client is gone, or commits if it was already committing.
 */
const orphansSql = `SELECT count(*)::int AS orphans FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid()
    AND application_name = 'effect-migrate' AND backend_xid IS NOT NULL`

/** Waiters read the holder's application_name to say since when the lock is held. */
const holderName = () => `'effect-migrate lock since ${new Date().toISOString()}'`
const holderNameSql = () => `SET application_name = ${holderName()}`

/** The first row of one statement's result, as node-postgres returns it. */
const firstRow = <A>(result: unknown): A | undefined =>
  (result as { rows?: ReadonlyArray<A> } | undefined)?.rows?.[0]

/** Waits (bounded) for orphaned migration transactions to end, so the journal read next is final. */
const settleOrphans = (query: LockQuery, budgetMs: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const deadline = Date.now() + Math.min(budgetMs, 60_000)
    while (Date.now() < deadline) {
      const result = yield* query(orphansSql).pipe(
        Effect.catchAll((error) =>
          Effect.as(
            Events.emit(
              LogLevel.Warning,
              "db_migration_orphans_unchecked",
              `⚠️ Could not check for migration transactions left open by a dead runner: ${pgErrorInfo(error).message}`
            ),
            undefined
          )
        )
      )
      if (result === undefined) return
      if ((firstRow<{ orphans?: number }>(result)?.orphans ?? 0) === 0) return
      yield* Effect.sleep(100)
    }
  })

/** Who holds the lock (pid, client, since when), for a waiter's log line and its timeout; undefined if unknown. */
const holder = (query: LockQuery, key: string): Effect.Effect<string | undefined> =>
  query(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = (${key}::bigint)
      LIMIT 1`
  ).pipe(
    Effect.map((result) => {
      const row = (result as { rows?: ReadonlyArray<Record<string, unknown>> }).rows?.[0]
      if (row === undefined) return undefined
      const since = String(row.application_name ?? "").match(/since (\S+)/)?.[1]
      return `pid ${row.pid}${row.client ? ` from ${row.client}` : ""}${since ? ` since ${since}` : ""}`
    }),
    Effect.orElseSucceed(() => undefined)
  )

/** One try without waiting; `settled` when the lock was taken and no dead runner left a transaction open either. */
const tryLock = (query: LockQuery, key: string): Effect.Effect<{ locked: boolean; settled: boolean }, DatabaseError> =>
  Effect.gen(function*() {
    // The usual case in one round trip: the lock is free and no dead runner left a transaction open.
    const first = yield* Effect.either(
      // The holder's name is set only if the lock was taken (a volatile subquery is evaluated once).
      query(
        `SELECT l.locked, CASE WHEN l.locked THEN set_config('application_name', ${holderName()}, false) END AS holder
           FROM (SELECT pg_try_advisory_lock(${key}::bigint) AS locked) l; ${orphansSql}`
      )
    )
    if (Either.isRight(first)) {
      const [lockResult, orphansResult] = Array.isArray(first.right) ? first.right : []
      const locked = firstRow<{ locked?: boolean }>(lockResult)?.locked === true
      return { locked, settled: locked && firstRow<{ orphans?: number }>(orphansResult)?.orphans === 0 }
    }
    // The orphan check failed after the lock may have been taken: start again from no lock, one step at a time.
    const retry = yield* query(`SELECT pg_advisory_unlock_all(); SELECT pg_try_advisory_lock(${key}::bigint) AS locked`).pipe(
      Effect.mapError(databaseError("take the migration lock"))
    )
    return { locked: firstRow<{ locked?: boolean }>(Array.isArray(retry) ? retry[1] : undefined)?.locked === true, settled: false }
  })

/** Blocks on the lock in slices, logging who holds it between them, until it is taken or `lockWaitMs` has passed. */
const waitForLock = (
  query: LockQuery,
  key: string,
  lockWaitMs: number,
  startedAt: number
): Effect.Effect<void, LockTimeout | DatabaseError> =>
  Effect.gen(function*() {
    let locked = false
    while (!locked) {
      const waited = Date.now() - startedAt
      if (waited >= lockWaitMs) {
        const who = yield* holder(query, key)
        return yield* new LockTimeout({
          waitedMs: waited,
          holder: who,
          message: `could not obtain the migration lock within ${lockWaitMs}ms${
            who === undefined ? "" : ` (held by ${who})`
          }; another runner is migrating this schema. Raise MIGRATION_LOCK_WAIT or check the holder.`
        })
      }
      yield* Events.lockWaiting(waited, yield* holder(query, key))
      const slice = Math.max(1, Math.min(reportEveryMs, lockWaitMs - waited))
      locked = yield* query(`SET lock_timeout = ${slice}; SELECT pg_advisory_lock(${key}::bigint);`).pipe(
        Effect.as(true),
        Effect.catchAll((error) =>
          pgErrorInfo(error).code === "55P03" ? Effect.succeed(false) : Effect.fail(databaseError("wait for the migration lock")(error))
        )
      )
    }
  })

/** Takes the session lock on the connection, waiting up to `lockWaitMs`, and lets dead runners' transactions end. */
export const takeSessionLock = (
  query: LockQuery,
  key: string,
  lockWaitMs: number
): Effect.Effect<void, LockTimeout | DatabaseError> =>
  Effect.gen(function*() {
    const startedAt = Date.now()
    const { locked, settled } = yield* tryLock(query, key)
    if (settled) return
    if (!locked) yield* waitForLock(query, key, lockWaitMs, startedAt)
    yield* settleOrphans(query, lockWaitMs)
    yield* query(`RESET lock_timeout; ${holderNameSql()}`).pipe(Effect.mapError(databaseError("take the migration lock")))
  })

/** Checks the lock's connection every second: an error or no answer means the lock went with it. */
export const watchLock = (query: LockQuery, lostSignal: Deferred.Deferred<never, LockLost>): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (true) {
      yield* Effect.sleep(heartbeatMs)
      // Not interrupted mid-query: a cancel sent late could hit the unlock that follows.
      const check = yield* query("SELECT 1").pipe(
        Effect.uninterruptible,
        Effect.disconnect,
        Effect.timeoutFail({ duration: heartbeatTimeoutMs, onTimeout: () => new Error(`no answer within ${heartbeatTimeoutMs}ms`) }),
        Effect.either
      )
      if (Either.isLeft(check)) return yield* Deferred.fail(lostSignal, lockLost(check.left))
    }
  })

/**
 * Unlocks and gives the connection back its plain name. If the lock's connection ended during the run (terminated by
 * an operator, a network cut), the lock went with it: the run's migrations are each atomic, but another runner may
 * have run beside this one.
 */
export const releaseSessionLock = (
  query: LockQuery,
  key: string,
  lostSignal: Deferred.Deferred<never, LockLost>
): Effect.Effect<void> => {
  const lost = (cause?: unknown) =>
    Effect.flatMap(Deferred.isDone(lostSignal), (reported) => reported ? Effect.void : Events.emit(
      LogLevel.Warning,
      "db_migration_lock_lost",
      "⚠️ The migration lock was lost during the run (its connection ended): another runner may have migrated at the same time; check `effect-migrate status`",
      { error: cause === undefined ? undefined : pgErrorInfo(cause).message }
    ))
  return query(`SELECT pg_advisory_unlock(${key}::bigint) AS released; SET application_name = 'effect-migrate'`).pipe(
    Effect.flatMap((results) =>
      firstRow<{ released?: boolean }>(Array.isArray(results) ? results[0] : results)?.released === true ? Effect.void : lost()
    ),
    Effect.catchAll(lost)
  )
}
