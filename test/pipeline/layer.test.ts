import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as path from "node:path"
import { ConfigError, MigrationFailed } from "../../src/errors.js"
import { makeMigrationsLayer } from "../../src/layer.js"
import { migrationDir } from "../support/migrationDir.js"
import { reportOf, runLive, withFreshDatabase } from "./support.js"

/** Builds `app` on top of the migrations layer, with the environment given, and says what happened. */
const start = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    let appBuilt = false
    const app = Layer.effectDiscard(Effect.sync(() => {
      appBuilt = true
    }))
    const layer = app.pipe(
      Layer.provide(makeMigrationsLayer({ sink: (line) => void lines.push(line.replace(/^\[[^\]]+\] /, "")) })),
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
    const exit = yield* Effect.exit(Effect.provide(Effect.void, layer))
    return { exit, lines, appBuilt }
  })

/** Two migrations and an RLS file of their own: the example app's run is test/pipeline/exampleApp.test.ts. */
const app = Effect.promise(async () => {
  const dir = await migrationDir({
    "20240101000000_create_items.sql": "CREATE TABLE items (id int, user_id int);",
    "20240102000000_add_label.sql": "ALTER TABLE items ADD COLUMN label text;"
  })
  const sql = await migrationDir({ "enable-rls.sql": "ALTER TABLE items ENABLE ROW LEVEL SECURITY;" })
  return { MIGRATIONS_DIR: dir, RLS_FILE: path.join(sql, "enable-rls.sql") }
})

describe("MigrationsLayer", () => {
  it.live("migrates while the app's layers are built, before the app's own", () =>
    withFreshDatabase("layer_ok", (db) =>
      Effect.gen(function*() {
        const { appBuilt, exit, lines } = yield* start({ DATABASE_URL: db.url, ...(yield* app) })
        expect(exit._tag).toBe("Success")
        expect(appBuilt).toBe(true)
        expect(lines[0]).toBe("[INFO] 🔄 Database migration process started")
        expect(lines).toContain("[INFO] 📝 Executing 1 RLS SQL statements")
        expect(lines.at(-1)).toMatch(/^\[INFO\] ✅ Database migration completed successfully in \d+ms$/)
        const rows = yield* Effect.promise(() => db.query("SELECT count(*)::int AS count FROM migrations WHERE status = 'applied'"))
        expect(rows).toEqual([{ count: 2 }])
      })))

  it.live("a failed migration fails the layer with the typed error, and the app is not built", () =>
    withFreshDatabase("layer_fail", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_ok.sql": "CREATE TABLE ok (id int);",
            "20240102000000_broken.sql": "-- name: Broken\nCREATE TABLE ok (id int);"
          })
        )
        const { appBuilt, exit, lines } = yield* start({ DATABASE_URL: db.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" })
        expect(appBuilt).toBe(false)
        expect(exit._tag).toBe("Failure")
        if (exit._tag === "Failure") {
          const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          expect(error).toBeInstanceOf(MigrationFailed)
          expect(error).toMatchObject({ id: "20240102000000_broken", name: "Broken", code: "42P07" })
        }
        expect(lines).toContain("[ERROR] ❌ Failed migration: Broken")
        // The journal says so too: the next start retries it.
        const rows = yield* Effect.promise(() => db.query("SELECT id, status FROM migrations ORDER BY id"))
        expect(rows).toEqual([{ id: "20240101000000_ok", status: "applied" }, { id: "20240102000000_broken", status: "failed" }])
      })))

  it.live("bad configuration fails the layer with ConfigError", () =>
    Effect.gen(function*() {
      const { appBuilt, exit } = yield* start({ DATABASE_URL: "mysql://nope", MIGRATION_TIMEOUT: "soon" })
      expect(appBuilt).toBe(false)
      expect(exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined).toBeInstanceOf(ConfigError)
    }))

  it.live("a % that begins no percent-encoded character in DATABASE_URL is a ConfigError that does not show the URL", () =>
    Effect.gen(function*() {
      const { appBuilt, exit, lines } = yield* start({ DATABASE_URL: "postgres://app:s3cr%t@127.0.0.1:5432/app", RLS_FILE: "none" })
      expect(appBuilt).toBe(false)
      const error = exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({ variable: "DATABASE_URL" })
      expect(JSON.stringify(error)).not.toContain("s3cr")
      expect(lines.join("\n")).not.toContain("s3cr")
    }))

  it.live("MIGRATION_AUTO_RUN=false logs that it skips and touches nothing", () =>
    withFreshDatabase("layer_off", (db) =>
      Effect.gen(function*() {
        const env = yield* app
        const { appBuilt, exit, lines } = yield* start({ DATABASE_URL: db.url, MIGRATION_AUTO_RUN: "false", ...env })
        expect(exit._tag).toBe("Success")
        expect(appBuilt).toBe(true)
        expect(lines).toEqual(["[INFO] ⏭️ MIGRATION_AUTO_RUN is false: skipping database migrations"])
        const tables = yield* Effect.promise(() => db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        expect(tables).toEqual([])
        // And the pipeline itself still runs on demand.
        const settings = { databaseUrl: db.url, migrationsDir: env.MIGRATIONS_DIR, rlsFile: env.RLS_FILE }
        expect(reportOf((yield* runLive(settings)).result).applied).toHaveLength(2)
      })))
})
