import { SqlClient } from "@effect/sql"
import { it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect } from "vitest"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import { lockFileName } from "../../src/database/pgliteLock.js"
import { runMigrationsLive } from "../../src/program.js"
import { CapturingLogger, PgliteTest } from "../../src/testing.js"
import { migrationDir, migrationModuleUrl } from "../support/migrationDir.js"

// One data directory for the file: created by the first run (PGlite's cold start), reopened by the others.
const root = mkdtempSync(path.join(tmpdir(), "effect-migrate-pglite-"))
const dataDir = path.join(root, "not", "yet", "there")
const url = `pglite:${dataDir}`
const lockFile = path.join(dataDir, lockFileName)
afterAll(() => rmSync(root, { recursive: true, force: true }))

const messages = Effect.flatMap(CapturingLogger, (capture) => capture.messages)

/**
 * What the engine is tested on: a .sql, a .ts (Effect) and a legacy migration, then an RLS file that can run again.
 * The example app on PGlite is test/testing-kit/app-migrations.test.ts.
 */
const source = Effect.cached(Effect.promise(async () => {
  const migrationsDir = await migrationDir({
    "20240101000000_create_teams.sql": "-- name: Create Teams\nCREATE TABLE teams (id serial PRIMARY KEY, name text);",
    "20240102000000_create_notes.ts": [
      `import { SqlClient } from "@effect/sql"`,
      `import { Effect } from "effect"`,
      `import * as Migration from ${JSON.stringify(migrationModuleUrl)}`,
      `export default Migration.make({`,
      `  name: "Create Notes",`,
      `  up: Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("CREATE TABLE notes (id serial PRIMARY KEY, team_id int, user_id int)"))`,
      `})`
    ].join("\n"),
    "20240103000000_add_note_title.ts": [
      `export const name = "Add Note Title"`,
      `export default async (db: { query: (text: string) => Promise<unknown> }) => {`,
      `  await db.query("ALTER TABLE notes ADD COLUMN title text")`,
      `  await db.query("ALTER TABLE notes ADD COLUMN body text")`,
      `  return true`,
      `}`
    ].join("\n")
  })
  const sqlDir = await migrationDir({
    "enable-rls.sql": [
      "ALTER TABLE teams ENABLE ROW LEVEL SECURITY;",
      "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
      "DROP POLICY IF EXISTS notes_owner ON notes;",
      "CREATE POLICY notes_owner ON notes USING (user_id = nullif(current_setting('app.user_id', true), '')::int);",
      ""
    ].join("\n")
  })
  return { migrationsDir, rlsFile: path.join(sqlDir, "enable-rls.sql") }
})).pipe(Effect.runSync)

const run = (settings: Parameters<typeof Config.layer>[0] = {}) =>
  Effect.flatMap(source, (files) =>
    Effect.all([runMigrationsLive(), messages]).pipe(
      Effect.provide(Config.layer({ databaseUrl: url, ...files, ...settings })),
      Effect.provide(CapturingLogger.layer())
    ))

/** Runs queries on the data directory through the same client the pipeline uses. */
const query = <A>(body: Effect.Effect<A, unknown, SqlClient.SqlClient>) =>
  Effect.scoped(Effect.flatMap(Layer.build(Connect.layer), (context) => Effect.provide(body, context))).pipe(
    Effect.provide(Config.layer({ databaseUrl: url })),
    Effect.provide(CapturingLogger.layer())
  )

const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", ""])
  return child.pid!
}

describe("pglite:<dir>", () => {
  it.live("creates the directory and runs .sql, .ts (Effect) and legacy migrations, then the RLS file", () =>
    Effect.gen(function*() {
      const [report, logs] = yield* run()
      expect(report.success).toBe(true)
      expect(report.applied.map((migration) => migration.name)).toEqual(["Create Teams", "Create Notes", "Add Note Title"])
      expect(report.rls).toMatchObject({ statements: 4, succeeded: 4, failed: 0, unprotectedTables: [] })
      expect(logs.filter((line) => line.includes("PGlite (embedded PostgreSQL"))).toHaveLength(1)
      expect(logs.at(-1)).toMatch(/Database migration completed successfully/)
      expect(existsSync(lockFile)).toBe(false)
    }))

  it.live("keeps the tables, the journal and the policies in the directory", () =>
    Effect.gen(function*() {
      const [tables, policies, journal, columns] = yield* query(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        return yield* Effect.all([
          sql<{ name: string; rls: boolean }>`
            SELECT relname AS name, relrowsecurity AS rls FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
          sql<{ policyname: string }>`SELECT policyname FROM pg_policies ORDER BY policyname`,
          sql<{ id: string; status: string }>`SELECT id, status FROM migrations ORDER BY id`,
          sql<{ column_name: string }>`
            SELECT column_name FROM information_schema.columns
             WHERE table_name = 'notes' AND column_name IN ('title', 'body') ORDER BY column_name`
        ])
      }))
      expect(tables).toEqual([
        { name: "migrations", rls: false },
        { name: "notes", rls: true },
        { name: "teams", rls: true }
      ])
      expect(policies).toEqual([{ policyname: "notes_owner" }])
      expect(journal.map((row) => row.status)).toEqual(["applied", "applied", "applied"])
      expect(columns.map((row) => row.column_name)).toEqual(["body", "title"])
    }))

  it.live("a second run on the same directory finds nothing pending", () =>
    Effect.gen(function*() {
      const [report] = yield* run()
      expect(report.success).toBe(true)
      expect(report.applied).toEqual([])
      expect(report.rls?.failed).toBe(0)
    }))

  it.live("refuses a second open in the same process", () =>
    Effect.gen(function*() {
      const exit = yield* query(query(Effect.void)).pipe(Effect.exit)
      expect(exit).toMatchObject(Exit.fail(expect.objectContaining({
        _tag: "DatabaseUnavailable",
        code: "EBUSY",
        message: expect.stringContaining(`PGlite data directory ${dataDir} is already open in this process`)
      })))
      expect(existsSync(lockFile)).toBe(false)
    }))

  it.live("takes over a lock left by a process that is gone, and says so", () =>
    Effect.gen(function*() {
      const pid = deadPid()
      writeFileSync(lockFile, JSON.stringify({ pid, host: hostname(), since: "", token: "stale" }))
      const [report, logs] = yield* run()
      expect(report.success).toBe(true)
      expect(logs).toContain(
        `[WARN] ⚠️ Took over the PGlite lock of ${dataDir} left by process ${pid}, which is no longer running`
      )
      expect(existsSync(lockFile)).toBe(false)
    }))

  it.live("replaces an unreadable lock file, and says so", () =>
    Effect.gen(function*() {
      writeFileSync(lockFile, "not a lock")
      const [report, logs] = yield* run()
      expect(report.success).toBe(true)
      expect(logs).toContain(`[WARN] ⚠️ Replaced an unreadable PGlite lock file in ${dataDir}`)
      expect(existsSync(lockFile)).toBe(false)
    }))

  it.live("treats a lock from another host as held, and names the file to delete", () =>
    Effect.gen(function*() {
      writeFileSync(lockFile, JSON.stringify({ pid: 4242, host: "elsewhere", since: "2024-01-01T00:00:00.000Z", token: "x" }))
      const exit = yield* run().pipe(Effect.exit)
      rmSync(lockFile)
      expect(exit).toMatchObject(Exit.fail(expect.objectContaining({
        _tag: "DatabaseUnavailable",
        code: "EBUSY",
        message: `PGlite data directory ${dataDir} is in use by process 4242 on host elsewhere since 2024-01-01T00:00:00.000Z; ` +
          `PGlite allows one process per directory, a second one would lose writes. Stop that process, or use another directory; ` +
          `if it is no longer running, delete ${lockFile}`
      })))
    }))
})

describe("pglite:memory", () => {
  it.live("runs the migrations and keeps nothing", () =>
    Effect.gen(function*() {
      const [report, logs] = yield* run({ databaseUrl: "pglite:memory" })
      expect(report.applied).toHaveLength(3)
      expect(report.rls?.succeeded).toBe(4)
      expect(logs.find((line) => line.includes("PGlite ("))).toMatch(/pglite:memory is discarded when its connection closes/)
    }))
})

describe("one session, one connection", () => {
  it.layer(
    PgliteTest.layer({ migrations: [{ id: "001_items", timestamp: 1, up: "CREATE TABLE items (name text PRIMARY KEY)" }] }),
    { timeout: "120 seconds" }
  )((it) => {
    it.effect("concurrent transactions take turns instead of sharing PGlite's single session", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const failing = sql.withTransaction(
          Effect.zipRight(sql`INSERT INTO items VALUES ('rolled back')`, Effect.fail("abort" as const))
        )
        const committing = sql.withTransaction(sql`INSERT INTO items VALUES ('kept')`)
        const results = yield* Effect.all([Effect.either(failing), committing, Effect.either(failing)], {
          concurrency: "unbounded"
        })
        expect(results[0]._tag).toBe("Left")
        const rows = yield* sql<{ name: string }>`SELECT name FROM items`
        expect(rows).toEqual([{ name: "kept" }])
      }))
  })
})
