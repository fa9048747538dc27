import { SqlClient } from "@effect/sql"
import { Context, Deferred, Effect, Layer, LogLevel, Option, type Scope } from "effect"
import { createHash } from "node:crypto"
import { type LockMode, MigrationConfig } from "../config.js"
import type { DatabaseError, LockLost, LockTimeout } from "../errors.js"
import * as Events from "../logging/events.js"
import { Database } from "./Database.js"
import { ConnectionFacts } from "./pooler.js"
import { databaseError } from "./pgError.js"
import { releaseSessionLock, takeSessionLock, watchLock } from "./sessionLock.js"

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

/** Keeps concurrent runners (replicas starting together) from migrating the same schema at once. */
export class MigrationLock extends Context.Tag("effect-migrate/MigrationLock")<MigrationLock, MigrationLockService>() {}

/** A stable 64-bit advisory lock key for a schema's journal table. */
export const lockKey = (schema: string, table: string): string =>
  createHash("sha256").update(`effect-migrate:${schema}.${table}`).digest().readBigInt64BE(0).toString()

/** Takes the advisory lock `key` for the rest of the transaction, waiting at most `waitMs` for another runner. */
export const transactionLockSql = (key: string, waitMs: number): string =>
  `SELECT set_config('lock_timeout', '${Math.max(1, Math.round(waitMs))}', true), pg_advisory_xact_lock(${key}::bigint)`

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

    const acquire = Effect.gen(function*() {
      // Uninterruptible: @effect/sql-pg's reserve, interrupted while connecting, never releases the client it
      // gets later, and the pool then never ends (a load error, which interrupts this, hung the run).
      const connection = yield* sql.reserve.pipe(
        Effect.uninterruptible,
        Effect.mapError(databaseError("reserve a connection for the migration lock"))
      )
      const query = (text: string) => connection.executeRaw(text, [])
      yield* takeSessionLock(query, key, settings.lockWaitMs)
      yield* Effect.addFinalizer(() => releaseSessionLock(query, key, lostSignal))
      yield* Effect.forkScoped(watchLock(query, lostSignal))
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
    const exclusive = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R> =>
      sql.withTransaction(
        Effect.zipRight(
          sql.unsafe(transactionLockSql(key, settings.lockWaitMs)),
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
