import type * as Reactivity from "@effect/experimental/Reactivity"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, LogLevel, type Scope } from "effect"
import * as path from "node:path"
import type Pg from "pg"
import { ConfigError, DatabaseUnavailable } from "../errors.js"
import { missingPackage } from "../package/optionalPackage.js"
import * as Events from "../logging/events.js"
import { pgErrorInfo } from "./pgError.js"
import * as PgliteLock from "./pgliteLock.js"

export const memory = "memory"

/** What PGlite does not do, said so nobody relies on it by mistake. */
export const engineLimits = (dataDir: string) =>
  "PGlite (embedded PostgreSQL, one session, one process): no advisory lock, the data directory lock file stands in; " +
  "statement_timeout, lock_timeout and MIGRATION_TIMEOUT are not enforced (queries run on the Node thread)" +
  (dataDir === memory ? "; pglite:memory is discarded when its connection closes" : "")

/** Data directories whose limits this process has already logged: an app reopening one after its migrations says it once. */
const announced = new Set<string>()

const announceLimits = (dataDir: string) =>
  Effect.suspend(() => {
    const key = dataDir === memory ? memory : path.resolve(dataDir)
    if (announced.has(key)) return Effect.void
    announced.add(key)
    return Events.engineLimits(engineLimits(dataDir))
  })

const openError = (dataDir: string) => (cause: unknown) =>
  new SqlError({ cause, message: `cannot open PGlite at ${dataDir}: ${pgErrorInfo(cause).message}` })

const pglitePackage = { name: "@electric-sql/pglite", range: "^0.5", purpose: "DATABASE_URL=pglite:..." }

/** PGlite's modules, loaded on demand so a PostgreSQL URL never pays for the WASM module; an optional peer dependency. */
const loadPglite = Effect.tryPromise({
  try: () => Promise.all([import("@electric-sql/pglite"), import("@electric-sql/pglite/node-postgres"), import("pg")]),
  catch: (cause) => new ConfigError({ variable: "DATABASE_URL", message: missingPackage(pglitePackage, cause).message })
})

/**
 * Opens PGlite (PostgreSQL in WASM) for `pglite:<dir>` or `pglite:memory`, as a one-connection pg Pool,
 * loaded on demand so a PostgreSQL URL never pays for the WASM module. A directory is created if missing
 * and locked for this process until the scope closes.
 */
export const openPglite = (
  dataDir: string
): Effect.Effect<
  Pg.Pool,
  SqlError | ConfigError | PgliteLock.DataDirectoryLocked | PgliteLock.DataDirectoryLockError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const [{ PGlite }, { createPgConfig }, pg] = yield* loadPglite
    const directory = dataDir === memory ? undefined : path.resolve(dataDir)
    if (directory !== undefined) {
      const held = yield* PgliteLock.acquire(directory)
      if (held.replaced !== undefined) {
        yield* Events.emit(
          LogLevel.Warning,
          "db_pglite_stale_lock",
          held.replaced.pid === 0
            ? `⚠️ Replaced an unreadable PGlite lock file in ${directory}`
            : `⚠️ Took over the PGlite lock of ${directory} left by process ${held.replaced.pid}, which is no longer running`,
          { data_dir: directory, stale_pid: held.replaced.pid }
        )
      }
    }
    return yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const db = await PGlite.create(directory)
          // node-postgres would open one connection per client; PGlite has one session: keep the pool at one.
          const pool = new pg.default.Pool({ ...createPgConfig(db), max: 1 })
          return { db, pool }
        },
        catch: openError(dataDir)
      }),
      ({ db, pool }) =>
        Effect.tryPromise(async () => {
          await pool.end()
          await db.close()
        }).pipe(
          Effect.catchAll((error) => Effect.logWarning(`closing PGlite at ${dataDir} failed: ${pgErrorInfo(error).message}`))
        )
    ).pipe(Effect.map(({ pool }) => pool))
  })

/**
 * The `@effect/sql-pg` client over PGlite: the same client the pipeline, the journal and an app use on
 * PostgreSQL. Logs the engine's limits once per process and directory; a locked directory fails with
 * DatabaseUnavailable (code EBUSY) naming the holder.
 */
export const pgliteClient = (
  dataDir: string
): Effect.Effect<PgClient.PgClient, DatabaseUnavailable | ConfigError, Scope.Scope | Reactivity.Reactivity> =>
  openPglite(dataDir).pipe(
    Effect.flatMap((pool) => PgClient.fromPool({ acquire: Effect.succeed(pool), applicationName: "effect-migrate" })),
    Effect.tap(() => announceLimits(dataDir)),
    Effect.mapError((error) =>
      error._tag === "ConfigError" ? error : new DatabaseUnavailable({
        target: `pglite:${dataDir}`,
        code: error._tag === "DataDirectoryLocked" ? "EBUSY" : undefined,
        message: error.message
      })
    )
  )
