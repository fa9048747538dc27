import { SqlError } from "@effect/sql/SqlError"
import { Effect, type Scope } from "effect"
import type Pg from "pg"

/**
 * Opens PGlite (PostgreSQL in WASM) for `pglite:<dir>` or `pglite:memory`, as a one-connection pg Pool,
 * loaded on demand so a PostgreSQL URL never pays for the WASM module.
 */
export const openPglite = (dataDir: string): Effect.Effect<Pg.Pool, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const [{ PGlite }, { createPgConfig }, pg] = await Promise.all([
          import("@electric-sql/pglite"),
          import("@electric-sql/pglite/node-postgres"),
          import("pg")
        ])
        const db = await PGlite.create(dataDir === "memory" ? undefined : dataDir)
        const pool = new pg.default.Pool({ ...createPgConfig(db), max: 1 })
        return { db, pool }
      },
      catch: (cause) => new SqlError({ cause, message: `cannot open PGlite at ${dataDir}` })
    }),
    ({ db, pool }) => Effect.promise(async () => {
      await pool.end()
      await db.close()
    })
  ).pipe(Effect.map(({ pool }) => pool))
