import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import * as path from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { pgliteClient } from "../../src/database/pglite.js"
import { ConfigError, RlsFileMissing } from "../../src/errors.js"
import { makeMigrationsLayer } from "../../src/layer.js"
import { migrationDir } from "../support/migrationDir.js"
import { withFreshDatabase } from "./support.js"

/** A new app's first start: no RLS file, the defaults otherwise. */

const start = (env: Record<string, string>, cwd: string) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const layer = makeMigrationsLayer({ sink: (line) => void lines.push(line.replace(/^\[[^\]]+\] /, "")) }).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
    // The default RLS_FILE is relative to the working directory, as for an app started in its own folder.
    const previous = process.cwd()
    const exit = yield* Effect.acquireUseRelease(
      Effect.sync(() => process.chdir(cwd)),
      () => Effect.exit(Effect.provide(Effect.void, layer)),
      () => Effect.sync(() => process.chdir(previous))
    )
    return { exit, lines }
  })

const newApp = Effect.promise(async () => {
  const root = await migrationDir({
    "migrations/20240101000000_create_items.sql": "CREATE TABLE items (id int);"
  })
  return { root, migrations: path.join(root, "migrations") }
})

describe("MigrationsLayer in a new app", () => {
  it.live("without sql/enable-rls.sql the app starts: no RLS stage, one info line", () =>
    withFreshDatabase("first_rls_default", (db) =>
      Effect.gen(function*() {
        const app = yield* newApp
        const { exit, lines } = yield* start({ DATABASE_URL: db.url, MIGRATIONS_DIR: app.migrations }, app.root)
        expect(exit._tag).toBe("Success")
        expect(lines.filter((line) => line.includes("RLS"))).toEqual([
          `[INFO] ℹ️ No RLS file at ${path.join(app.root, "sql", "enable-rls.sql")} (the default RLS_FILE): ` +
          "skipping the RLS stage; set RLS_FILE to run one"
        ])
        expect(lines.at(-1)).toMatch(/✅ Database migration completed successfully/)
      })))

  it.live("an RLS_FILE set by the user and missing still fails with RlsFileMissing", () =>
    withFreshDatabase("first_rls_explicit", (db) =>
      Effect.gen(function*() {
        const app = yield* newApp
        const { exit } = yield* start(
          { DATABASE_URL: db.url, MIGRATIONS_DIR: app.migrations, RLS_FILE: "sql/enable-rls.sql" },
          app.root
        )
        expect(exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined).toBeInstanceOf(
          RlsFileMissing
        )
      })))
})

describe("MigrationsLayer on pglite:memory", () => {
  it.live("refused with a ConfigError naming DATABASE_URL when the app's client is not given to the layer", () =>
    Effect.gen(function*() {
      const app = yield* newApp
      const { exit } = yield* start({ DATABASE_URL: "pglite:memory", MIGRATIONS_DIR: app.migrations }, app.root)
      const error = exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({ variable: "DATABASE_URL" })
    }))

  it.live("migrates the app's own database when the app's PgClient is provided to the layer", () =>
    Effect.gen(function*() {
      const app = yield* newApp
      // The app's client: one in-memory PGlite, shared by the migrations and the app.
      const appSql = Layer.scopedContext(
        Effect.map(pgliteClient("memory"), (client) =>
          Context.make(PgClient.PgClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
      ).pipe(Layer.provide(Reactivity.layer))
      const migrations = makeMigrationsLayer({ sink: () => {} }).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
          ["DATABASE_URL", "pglite:memory"],
          ["MIGRATIONS_DIR", app.migrations],
          ["RLS_FILE", "none"]
        ]))))
      )
      const rows = yield* Effect.scoped(
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ readonly count: number }>`SELECT count(*)::int AS count FROM items`
        }).pipe(Effect.provide(Layer.provideMerge(migrations, appSql)))
      )
      expect(rows).toEqual([{ count: 0 }])
    }), 120_000)
})
