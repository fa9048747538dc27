import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, type Scope } from "effect"
import { createHash } from "node:crypto"
import { MigrationConfig } from "../config.js"
import { DatabaseError, LockTimeout } from "../errors.js"
import * as Events from "../logging/events.js"
import { Database } from "./Database.js"
import { pgErrorInfo } from "./pgError.js"

export interface MigrationLockService {
  /** Holds the lock until the scope closes; other runners wait up to MIGRATION_LOCK_WAIT. */
  readonly acquire: Effect.Effect<void, LockTimeout | DatabaseError, Scope.Scope>
}

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
 * A PostgreSQL session advisory lock on a dedicated connection: held across every transaction of the run,
 * and freed by the server if the process dies.
 */
export const advisory: Layer.Layer<MigrationLock, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(
  MigrationLock,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const settings = yield* MigrationConfig
    const key = lockKey(settings.schema, settings.table)

    const acquire = Effect.gen(function*() {
      const connection = yield* sql.reserve.pipe(Effect.mapError(databaseError("reserve a connection for the migration lock")))
      const query = (text: string) => connection.executeRaw(text, [])
      const holder = query(
        `SELECT a.pid, a.application_name, a.client_addr::text AS client, a.backend_start
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted
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
      const [first] = yield* connection.execute(`SELECT pg_try_advisory_lock(${key}::bigint) AS locked`, [], undefined).pipe(
        Effect.mapError(databaseError("take the migration lock"))
      )
      let locked = (first as { locked?: boolean } | undefined)?.locked === true
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
      // Waiters read this to say since when the lock is held.
      yield* query(`RESET lock_timeout; SET application_name = 'effect-migrate lock since ${new Date().toISOString()}'`).pipe(
        Effect.mapError(databaseError("take the migration lock"))
      )
      yield* Effect.addFinalizer(() =>
        query(`SELECT pg_advisory_unlock(${key}::bigint); SET application_name = 'effect-migrate'`).pipe(Effect.ignore)
      )
    }).pipe(Effect.withSpan("effect-migrate/MigrationLock.acquire"))

    return MigrationLock.of({ acquire })
  })
)

/** For engines with one session (PGlite): the data directory lock taken when it was opened is enough. */
export const none: Layer.Layer<MigrationLock> = Layer.succeed(MigrationLock, MigrationLock.of({ acquire: Effect.void }))

/** Advisory lock on PostgreSQL, nothing on PGlite. */
export const layer: Layer.Layer<MigrationLock, never, SqlClient.SqlClient | MigrationConfig | Database> = Layer.unwrapEffect(
  Effect.map(Database, (database) => (database.target.engine === "pglite" ? none : advisory))
)
