import { SqlClient } from "@effect/sql"
import { Context, Deferred, Effect, Either, Layer, LogLevel, Option, type Scope } from "effect"
import { createHash } from "node:crypto"
import { type LockMode, MigrationConfig } from "../config.js"
import { DatabaseError, LockLost, LockTimeout } from "../errors.js"
import * as Events from "../logging/events.js"
import { Database } from "./Database.js"
import { pgErrorInfo } from "./pgError.js"
import { ConnectionFacts } from "./pooler.js"

/**
 * `session`: one session advisory lock held for the whole run on a connection of its own, watched. `transaction`:
 * no session lock (behind a transaction-mode pooler it would stay on a pooled server connection); each migration
 * takes the lock in its own transaction. `none`: one session only (PGlite). See docs/locking.md.
 */
export type EffectiveLockMode = "session" | "transaction" | "none"

export interface MigrationLockService {
  /** Holds the lock until the scope closes; other runners wait up to MIGRATION_LOCK_WAIT. */
  readonly acquire: Effect.Effect<void, LockTimeout | DatabaseError, Scope.Scope>
  /** Fails with LockLost as soon as the lock is found gone; never ends otherwise. */
  readonly lost?: Effect.Effect<never, LockLost>
  readonly mode?: EffectiveLockMode
  /** Runs `self` excluding other runners for its time (per transaction: in one transaction holding the lock). */
  readonly exclusive?: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DatabaseError, R>
}

/** MIGRATION_LOCK=auto: the session lock when connected to the server itself, per-transaction behind a pooler. */
export const effectiveMode = (mode: LockMode, pooled: boolean): "session" | "transaction" =>
  mode === "auto" ? (pooled ? "transaction" : "session") : mode

/** How often the lock's connection is checked; a check that gets no answer within `heartbeatTimeoutMs` is a loss. */
const heartbeatMs = 1_000
const heartbeatTimeoutMs = 10_000

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

/** Keeps concurrent runners (replicas starting together) from migrating the same schema at once. */
export class MigrationLock extends Context.Tag("effect-migrate/MigrationLock")<MigrationLock, MigrationLockService>() {}

/** A stable 64-bit advisory lock key for a schema's journal table. */
export const lockKey = (schema: string, table: string): string =>
  createHash("sha256").update(`effect-migrate:${schema}.${table}`).digest().readBigInt64BE(0).toString()

/** How long one blocking attempt waits before the waiter logs who holds the lock and tries again. */
const reportEveryMs = 5_000

const databaseError = (operation: string) => (error: unknown) => {
  const info = pgErrorInfo(error)
  return new DatabaseError({ operation, message: `${operation}: ${info.message}`, code: info.code })
}

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
const settleOrphans = (
  query: (text: string) => Effect.Effect<unknown, unknown>,
  budgetMs: number
): Effect.Effect<void> =>
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

/**
 * A PostgreSQL session advisory lock on a dedicated connection: held across every transaction of the run,
 * and freed by the server if the process dies.
 */
export const advisory: Layer.Layer<MigrationLock, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(
  MigrationLock,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const settings = yield* MigrationConfig
    const key = lockKey(settings.schema, settings.table)
    const lostSignal = yield* Deferred.make<never, LockLost>()

    /** Checks the lock's connection every second: an error or no answer means the lock went with it. */
    const watch = (query: (text: string) => Effect.Effect<unknown, unknown>) =>
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

    const acquire = Effect.gen(function*() {
      // Uninterruptible: @effect/sql-pg's reserve, interrupted while connecting, never releases the client it
      // gets later, and the pool then never ends (a load error, which interrupts this, hung the run).
      const connection = yield* sql.reserve.pipe(
        Effect.uninterruptible,
        Effect.mapError(databaseError("reserve a connection for the migration lock"))
      )
      const query = (text: string) => connection.executeRaw(text, [])
      // If the lock's connection ended during the run (terminated by an operator, a network cut), the lock went
      // with it: the run's migrations are each atomic, but another runner may have run beside this one.
      const lost = (cause?: unknown) =>
        Effect.flatMap(Deferred.isDone(lostSignal), (reported) => reported ? Effect.void : Events.emit(
          LogLevel.Warning,
          "db_migration_lock_lost",
          "⚠️ The migration lock was lost during the run (its connection ended): another runner may have migrated at the same time; check `effect-migrate status`",
          { error: cause === undefined ? undefined : pgErrorInfo(cause).message }
        ))
      const release = query(`SELECT pg_advisory_unlock(${key}::bigint) AS released; SET application_name = 'effect-migrate'`).pipe(
        Effect.flatMap((results) =>
          firstRow<{ released?: boolean }>(Array.isArray(results) ? results[0] : results)?.released === true ? Effect.void : lost()
        ),
        Effect.catchAll(lost)
      )
      const holder = query(
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
      const startedAt = Date.now()
      // The usual case in one round trip: the lock is free and no dead runner left a transaction open.
      const first = yield* Effect.either(
        // The holder's name is set only if the lock was taken (a volatile subquery is evaluated once).
        query(
          `SELECT l.locked, CASE WHEN l.locked THEN set_config('application_name', ${holderName()}, false) END AS holder
             FROM (SELECT pg_try_advisory_lock(${key}::bigint) AS locked) l; ${orphansSql}`
        )
      )
      let locked: boolean
      if (Either.isRight(first)) {
        const [lockResult, orphansResult] = Array.isArray(first.right) ? first.right : []
        locked = firstRow<{ locked?: boolean }>(lockResult)?.locked === true
        if (locked && firstRow<{ orphans?: number }>(orphansResult)?.orphans === 0) {
          yield* Effect.addFinalizer(() => release)
          yield* Effect.forkScoped(watch(query))
          return
        }
      } else {
        // The orphan check failed after the lock may have been taken: start again from no lock, one step at a time.
        const retry = yield* query(`SELECT pg_advisory_unlock_all(); SELECT pg_try_advisory_lock(${key}::bigint) AS locked`).pipe(
          Effect.mapError(databaseError("take the migration lock"))
        )
        locked = firstRow<{ locked?: boolean }>(Array.isArray(retry) ? retry[1] : undefined)?.locked === true
      }
      while (!locked) {
        const waited = Date.now() - startedAt
        if (waited >= settings.lockWaitMs) {
          const who = yield* holder
          return yield* new LockTimeout({
            waitedMs: waited,
            holder: who,
            message: `could not obtain the migration lock within ${settings.lockWaitMs}ms${
              who === undefined ? "" : ` (held by ${who})`
            }; another runner is migrating this schema. Raise MIGRATION_LOCK_WAIT or check the holder.`
          })
        }
        yield* Events.lockWaiting(waited, yield* holder)
        const slice = Math.max(1, Math.min(reportEveryMs, settings.lockWaitMs - waited))
        locked = yield* query(`SET lock_timeout = ${slice}; SELECT pg_advisory_lock(${key}::bigint);`).pipe(
          Effect.as(true),
          Effect.catchAll((error) =>
            pgErrorInfo(error).code === "55P03" ? Effect.succeed(false) : Effect.fail(databaseError("wait for the migration lock")(error))
          )
        )
      }
      yield* settleOrphans(query, settings.lockWaitMs)
      yield* query(`RESET lock_timeout; ${holderNameSql()}`).pipe(Effect.mapError(databaseError("take the migration lock")))
      yield* Effect.addFinalizer(() => release)
      yield* Effect.forkScoped(watch(query))
    }).pipe(Effect.withSpan("effect-migrate/MigrationLock.acquire"))

    return MigrationLock.of({ acquire, lost: Deferred.await(lostSignal), mode: "session" })
  })
)

/**
 * Behind a transaction-mode pooler: nothing held across transactions. Each migration's own transaction takes the
 * lock (`migrationGuard`), so runners take turns migration by migration and skip what another applied.
 */
export const perTransaction: Layer.Layer<MigrationLock, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(
  MigrationLock,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const settings = yield* MigrationConfig
    const key = lockKey(settings.schema, settings.table)
    const waitMs = Math.max(1, settings.lockWaitMs)
    const exclusive = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R> =>
      sql.withTransaction(
        Effect.zipRight(
          sql.unsafe(`SELECT set_config('lock_timeout', '${waitMs}', true), pg_advisory_xact_lock(${key}::bigint)`),
          self
        )
      ).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(databaseError("take the migration lock")(error))))
    return MigrationLock.of({
      acquire: Events.emit(
        LogLevel.Info,
        "db_migration_lock_per_transaction",
        "🔐 Migration lock: taken in each migration's own transaction (connection pooler or MIGRATION_LOCK=transaction)"
      ),
      lost: Effect.never,
      mode: "transaction",
      exclusive
    })
  })
)

/** For engines with one session (PGlite): the data directory lock taken when it was opened is enough. */
export const none: Layer.Layer<MigrationLock> = Layer.succeed(
  MigrationLock,
  MigrationLock.of({ acquire: Effect.void, lost: Effect.never, mode: "none" })
)

/** Nothing on PGlite; on PostgreSQL the session lock, or per transaction behind a pooler (MIGRATION_LOCK). */
export const layer: Layer.Layer<MigrationLock, never, SqlClient.SqlClient | MigrationConfig | Database> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const database = yield* Database
    if (database.target.engine === "pglite") return none
    const facts = yield* Effect.serviceOption(ConnectionFacts)
    const settings = yield* MigrationConfig
    const pooled = Option.isSome(facts) && facts.value.pooled
    return effectiveMode(settings.lockMode, pooled) === "session" ? advisory : perTransaction
  })
)
