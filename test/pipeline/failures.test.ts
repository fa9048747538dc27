import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as path from "node:path"
import { MigrationFailed, MigrationLoadError, MigrationTimeout } from "../../src/errors.js"
import { migrationDir, writeFiles } from "../support/migrationDir.js"
import type { TestDatabase } from "../support/testDatabase.js"
import { normalise, reportOf, runLive, withFreshDatabase } from "./support.js"

const tables = (db: TestDatabase) =>
  Effect.promise(() =>
    db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
  ).pipe(Effect.map((rows) => rows.map((row) => row.tablename)))

const journal = (db: TestDatabase) =>
  Effect.promise(() =>
    db.query<{ id: string; status: string; error: string | null }>("SELECT id, status, error FROM migrations ORDER BY id")
  )

const broken = [
  "-- name: Create B",
  "CREATE TABLE b (id int PRIMARY KEY);",
  "INSERT INTO b VALUES (1);",
  "CREATE TABLE b_items (id int,, b_id int);"
].join("\n")

const fixed = broken.replace("(id int,, b_id int)", "(id int, b_id int REFERENCES b (id))")

describe("failures on a real server", () => {
  it.live("a failing migration is rolled back and recorded failed, later ones skipped; RLS still runs; fixed, it applies", () =>
    withFreshDatabase("failing", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_create_a.sql": "-- name: Create A\nCREATE TABLE a (id int, user_id uuid);",
            "20240102000000_create_b.sql": broken,
            "20240103000000_create_c.sql": "-- name: Create C\nCREATE TABLE c (id int, user_id uuid);"
          })
        )
        const rlsDir = yield* Effect.promise(() =>
          migrationDir({ "rls.sql": "ALTER TABLE a ENABLE ROW LEVEL SECURITY;\nALTER TABLE c ENABLE ROW LEVEL SECURITY;\n" })
        )
        const rlsFile = path.join(rlsDir, "rls.sql")
        const settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile }
        const first = yield* runLive(settings)
        const report = reportOf(first.result)
        expect(report.success).toBe(false)
        expect(report.applied.map((m) => m.id)).toEqual(["20240101000000_create_a"])
        expect(report.failed.map((m) => m.id)).toEqual(["20240102000000_create_b"])
        expect(report.skipped.map((m) => m.id)).toEqual(["20240103000000_create_c"])
        expect(report.failure).toBeInstanceOf(MigrationFailed)
        expect(report.failure).toMatchObject({ code: "42601", statement: "CREATE TABLE b_items (id int,, b_id int)" })
        // Rolled back as a whole: the statements before the failing one left nothing behind.
        expect(yield* tables(db)).toEqual(["a", "migrations"])
        const rows = yield* journal(db)
        expect(rows.map((row) => [row.id, row.status])).toEqual([
          ["20240101000000_create_a", "applied"],
          ["20240102000000_create_b", "failed"]
        ])
        expect(rows[1]!.error).toMatch(/^42601: syntax error at or near "," \(line 4\)\nstatement: CREATE TABLE b_items/)
        // RLS ran after the failure: the table that exists is protected, the missing one is a counted failure.
        expect(report.rls).toMatchObject({ statements: 2, succeeded: 1, failed: 1 })
        expect(normalise(first.logs)).toEqual([
          "[INFO] 🔄 Database migration process started",
          "[INFO] ⚙️ Initializing migration system",
          "[INFO] ✅ Migration system initialized in Nms with 3 registered migrations",
          "[INFO] ⏳ Running pending migrations...",
          "[INFO] ✅ Migration Create A: APPLIED (Nms)",
          "[ERROR] ❌ Migration Create B: FAILED (Nms)",
          `[ERROR]    ↳ 42601 syntax error at or near "," (line 4) (hint: syntax error: check the SQL near the position PostgreSQL reports)`,
          "[ERROR]    ↳ statement: CREATE TABLE b_items (id int,, b_id int)",
          "[INFO] 📊 Migration results: 1 applied, 1 skipped, 1 failed",
          "[INFO] 🔒 Running Row Level Security (RLS) migration",
          "[INFO] 📄 Found RLS migration SQL file",
          "[INFO] 📝 Executing 2 RLS SQL statements",
          "[ERROR] ❌ Error executing SQL statement 2/2",
          `[ERROR]    ↳ 42P01 ${rlsFile}:2: relation "c" does not exist (hint: relation does not exist: check the order of migrations and DATABASE_SCHEMA)`,
          "[ERROR]    ↳ statement: ALTER TABLE c ENABLE ROW LEVEL SECURITY",
          "[ERROR] ❌ RLS migration completed in Nms (1 succeeded, 1 failed)",
          "[ERROR] ❌ Migration process completed with errors: 1 applied, 1 failed, 1 RLS statement failed",
          "[ERROR] ❌ Failed migration: Create B"
        ])

        yield* Effect.promise(() => writeFiles(dir, { "20240102000000_create_b.sql": fixed }))
        const second = yield* runLive(settings)
        const fixedReport = reportOf(second.result)
        expect(fixedReport.success).toBe(true)
        expect(fixedReport.applied.map((m) => m.id)).toEqual(["20240102000000_create_b", "20240103000000_create_c"])
        expect(yield* tables(db)).toEqual(["a", "b", "b_items", "c", "migrations"])
        expect((yield* journal(db)).map((row) => [row.id, row.status, row.error])).toEqual([
          ["20240101000000_create_a", "applied", null],
          ["20240102000000_create_b", "applied", null],
          ["20240103000000_create_c", "applied", null]
        ])
      })))

  it.live("a broken migration file fails the run at once with a typed error naming it, and nothing runs", () =>
    withFreshDatabase("load_error", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_fine.sql": "CREATE TABLE fine (id int);",
            "20240102000000_broken.js": "export default { up: 42 }"
          })
        )
        const { logs, result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        expect(Either.isLeft(result)).toBe(true)
        const error = Either.flip(result).pipe(Either.getOrThrow)
        expect(error).toBeInstanceOf(MigrationLoadError)
        expect(error).toMatchObject({ file: path.join(dir, "20240102000000_broken.js") })
        expect(logs.at(-2)).toBe(
          `[ERROR] ❌ Database migration aborted: ${path.join(dir, "20240102000000_broken.js")}: up must be SQL text, an Effect or an async (db) => boolean function`
        )
        // The journal table may or may not exist yet (it is created while the files load); no migration ran.
        expect((yield* tables(db)).filter((table) => table !== "migrations")).toEqual([])
      })))

  it.live("legacy migrations: a failed query rejects with PostgreSQL's error; false and exceptions fail the migration", () =>
    withFreshDatabase("legacy", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_bad_query.js": `
              export default async (db) => {
                await db.query("CREATE TABLE kept_out (id int)")
                try {
                  await db.query("CREATE TABLE x (id int,, y int)")
                } catch (error) {
                  if (error.code !== "42601") return false
                  throw error
                }
                return true
              }`,
            "20240102000000_returns_false.js": "export default async () => false",
            "20240103000000_throws.js": `export default async () => { throw new TypeError("cannot read 'x' of undefined") }`
          })
        )
        const settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        const expected = [
          ["20240101000000_bad_query", { code: "42601", message: `syntax error at or near ","` }],
          ["20240102000000_returns_false", { message: "migration 20240102000000_returns_false returned false" }],
          ["20240103000000_throws", { message: "cannot read 'x' of undefined" }]
        ] as const
        for (const [id, failure] of expected) {
          const { logs, result } = yield* runLive(settings, { selection: { only: id } })
          expect(reportOf(result).failure).toMatchObject({ _tag: "MigrationFailed", id, ...failure })
          expect(logs.find((line) => line.includes("↳"))).toMatch(/\(hint: .+\)$/)
        }
        expect(yield* tables(db)).toEqual(["migrations"])
        expect((yield* journal(db)).map((row) => [row.status, row.error])).toEqual([
          ["failed", `42601: syntax error at or near ","`],
          ["failed", "migration 20240102000000_returns_false returned false"],
          ["failed", "cannot read 'x' of undefined"]
        ])
      })))

  it.live("applied if and only if committed: a failure at COMMIT (deferred constraint) leaves no applied row", () =>
    withFreshDatabase("commit_fails", (db) =>
      Effect.gen(function*() {
        const ddl = (suffix: string) =>
          `CREATE TABLE parent_${suffix} (id int PRIMARY KEY);
           CREATE TABLE child_${suffix} (parent_id int REFERENCES parent_${suffix} (id) DEFERRABLE INITIALLY DEFERRED);
           INSERT INTO child_${suffix} VALUES (42);`
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_sql_commit_fails.sql": ddl("sql"),
            "20240102000000_effect_commit_fails.js": `
              import { Effect } from "effect"
              import { SqlClient } from "@effect/sql"
              export default {
                up: Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(${JSON.stringify(ddl("effect"))}))
              }`
          })
        )
        const settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        for (const id of ["20240101000000_sql_commit_fails", "20240102000000_effect_commit_fails"]) {
          const report = reportOf((yield* runLive(settings, { selection: { only: id } })).result)
          expect(report.failed.map((m) => [m.id, m.error.code])).toEqual([[id, "23503"]])
        }
        expect(yield* tables(db)).toEqual(["migrations"])
        expect((yield* journal(db)).map((row) => row.status)).toEqual(["failed", "failed"])
      })))

  it.live("a file wrapped in BEGIN ... COMMIT still rolls back as a whole when it fails", () =>
    withFreshDatabase("wrapped", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_wrapped_ok.sql": "BEGIN;\nCREATE TABLE wrapped_ok (id int);\nCOMMIT;\n",
            "20240102000000_wrapped_fails.sql": "BEGIN;\nCREATE TABLE half_done (id int);\nSELECT 1 / 0;\nCOMMIT;\n"
          })
        )
        const { logs, result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.id)).toEqual(["20240101000000_wrapped_ok"])
        expect(report.failed.map((m) => [m.id, m.error.code])).toEqual([["20240102000000_wrapped_fails", "22012"]])
        expect(logs).toContain(
          "[ERROR]    ↳ 22012 division by zero (hint: data exception: existing rows do not fit the change; fix the data or the conversion first)"
        )
        expect(yield* tables(db)).toEqual(["migrations", "wrapped_ok"])
      })))

  const sleepingQueries = (db: TestDatabase) =>
    Effect.promise(() =>
      db.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep%' AND state <> 'idle'`
      )
    )

  it.live("a migration that runs past MIGRATION_TIMEOUT is cancelled on the server and recorded failed", () =>
    withFreshDatabase("timeout", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_sleep_sql.sql": "CREATE TABLE s (id int);\nSELECT pg_sleep(3600);",
            // No server-side guard (statement_timeout 0): only the Effect timeout can stop it, by cancelling the query.
            "20240102000000_sleep_legacy.js": `
              export const name = "Sleep Legacy"
              export default async (db) => {
                await db.query("SET LOCAL statement_timeout = 0")
                await db.query("CREATE TABLE legacy_sleep (id int)")
                await db.query("SELECT pg_sleep(3600)")
                return true
              }`,
            "20240103000000_sleep_effect.js": `
              import { Effect, Either } from "effect"
              import { SqlClient } from "@effect/sql"
              export default {
                up: Effect.gen(function*() {
                  const sql = yield* SqlClient.SqlClient
                  yield* sql.unsafe("SET LOCAL statement_timeout = 0")
                  yield* sql.unsafe("SELECT pg_sleep(3600)")
                })
              }`
          })
        )
        const settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none", timeoutMs: 400 }
        for (const id of ["20240101000000_sleep_sql", "20240102000000_sleep_legacy", "20240103000000_sleep_effect"]) {
          const { logs, result } = yield* runLive(settings, { selection: { only: id } })
          const report = reportOf(result)
          expect(report.success).toBe(false)
          expect(report.failure).toBeInstanceOf(MigrationTimeout)
          expect(report.failure).toMatchObject({ id, timeoutMs: 400 })
          // Cancelled, not waited out or left behind: the hour-long sleep is no longer running on the server.
          expect(yield* sleepingQueries(db)).toEqual([])
          expect(logs.find((line) => line.includes("↳"))).toMatch(/hint: .*raise MIGRATION_TIMEOUT/)
        }
        expect(yield* tables(db)).toEqual(["migrations"])
        const rows = yield* journal(db)
        expect(rows.map((row) => row.status)).toEqual(["failed", "failed", "failed"])
        // The server's statement_timeout and the Effect timeout race for the SQL one; either cancels it.
        expect(rows[0]!.error).toMatch(/statement timeout|timed out after 400ms/)
        expect(rows[1]!.error).toMatch(/timed out after 400ms/)
        expect(rows[2]!.error).toMatch(/timed out after 400ms/)
      })))

  it.live("transaction: false runs CREATE INDEX CONCURRENTLY; in a transaction it fails with a hint saying so", () =>
    withFreshDatabase("concurrently", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_create_t.sql": "CREATE TABLE t (id int, x int);",
            "20240102000000_index_header.sql": "-- transaction: false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_x_idx ON t (x);",
            "20240103000000_index_dbmate.sql":
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON t (id);\n-- migrate:down\nDROP INDEX t_id_idx;",
            "20240104000000_index_object.js":
              `export default { transaction: false, up: "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_xy_idx ON t (x, id)" }`,
            "20240105000000_index_in_transaction.sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_bad_idx ON t (x, x);"
          })
        )
        const { logs, result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.id)).toEqual([
          "20240101000000_create_t",
          "20240102000000_index_header",
          "20240103000000_index_dbmate",
          "20240104000000_index_object"
        ])
        expect(report.failure).toMatchObject({ id: "20240105000000_index_in_transaction", code: "25001" })
        expect(logs.find((line) => line.includes("↳"))).toContain("set `transaction: false` on this migration")
        const indexes = yield* Effect.promise(() =>
          db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY indexname")
        )
        expect(indexes.map((row) => row.indexname)).toEqual(["t_id_idx", "t_x_idx", "t_xy_idx"])
      })))

  it.live("a selection (--migration) runs only that migration; the others stay pending", () =>
    withFreshDatabase("selection", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_one.sql": "CREATE TABLE one (id int);",
            "20240102000000_two.sql": "CREATE TABLE two (id int);",
            "20240103000000_three.sql": "CREATE TABLE three (id int);"
          })
        )
        const settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        const { logs, result } = yield* runLive(settings, { selection: { only: "20240102000000_two" } })
        const report = reportOf(result)
        expect(report).toMatchObject({ success: true, failed: [] })
        expect(report.applied.map((m) => m.id)).toEqual(["20240102000000_two"])
        expect(report.skipped.map((m) => m.id)).toEqual(["20240101000000_one", "20240103000000_three"])
        expect(logs).toContain("[INFO] 📊 Migration results: 1 applied, 2 skipped, 0 failed")
        expect(yield* tables(db)).toEqual(["migrations", "two"])
        const rest = reportOf((yield* runLive(settings)).result)
        expect(rest.applied.map((m) => m.id)).toEqual(["20240101000000_one", "20240103000000_three"])
      })))
})
