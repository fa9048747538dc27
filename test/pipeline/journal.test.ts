import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { migrationDir, writeFiles } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { reportOf, runLive, withFreshDatabase } from "./support.js"

const db = useTestDatabase("journal")

const query = <Row = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>) =>
  Effect.promise(() => db.current.query<Row>(text, params))

const runs = Effect.map(query<{ count: number }>("SELECT count(*)::int AS count FROM runs"), ([row]) => row!.count)

describe("the journal table", () => {
  it.live("has the documented columns, and the seed's manual-recovery SQL has the documented effect", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() =>
        migrationDir({
          "20240101000000_count_runs.sql": "CREATE TABLE IF NOT EXISTS runs (n serial);\nINSERT INTO runs DEFAULT VALUES;"
        })
      )
      const settings = { databaseUrl: db.current.url, migrationsDir: dir, rlsFile: "none" }
      expect(reportOf((yield* runLive(settings)).result).applied.map((m) => m.id)).toEqual(["20240101000000_count_runs"])
      expect(yield* runs).toBe(1)

      const columns = yield* query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = 'migrations' ORDER BY ordinal_position`
      )
      expect(columns.slice(0, 6)).toEqual([
        { column_name: "id", data_type: "text" },
        { column_name: "name", data_type: "text" },
        { column_name: "description", data_type: "text" },
        { column_name: "applied_at", data_type: "timestamp with time zone" },
        { column_name: "duration", data_type: "integer" },
        { column_name: "status", data_type: "text" }
      ])

      // UPDATE ... SET status = 'failed': the migration runs again.
      yield* query("UPDATE migrations SET status = 'failed' WHERE id = '20240101000000_count_runs'")
      expect(reportOf((yield* runLive(settings)).result).applied).toHaveLength(1)
      expect(yield* runs).toBe(2)
      expect(yield* query("SELECT status, error FROM migrations")).toEqual([{ status: "applied", error: null }])

      // DELETE ... WHERE id = ...: the migration runs again.
      yield* query("DELETE FROM migrations WHERE id = '20240101000000_count_runs'")
      expect(reportOf((yield* runLive(settings)).result).applied).toHaveLength(1)
      expect(yield* runs).toBe(3)

      // INSERT INTO migrations (id, name, description, applied_at, duration, status): marked applied, never run.
      yield* Effect.promise(() =>
        writeFiles(dir, { "20240102000000_applied_by_hand.sql": "CREATE TABLE by_hand (id int);\nINSERT INTO runs DEFAULT VALUES;" })
      )
      yield* query(
        `INSERT INTO migrations (id, name, description, applied_at, duration, status)
         VALUES ('20240102000000_applied_by_hand', 'Applied By Hand', 'run by the DBA', NOW(), 0, 'applied')`
      )
      const report = reportOf((yield* runLive(settings)).result)
      expect(report).toMatchObject({ success: true, applied: [], skipped: [] })
      expect(yield* runs).toBe(3)
      expect(yield* query("SELECT to_regclass('by_hand') IS NULL AS absent")).toEqual([{ absent: true }])
    }))

  it.live("is created in DATABASE_SCHEMA, and the migrations' and RLS file's unqualified names mean that schema", () =>
    withFreshDatabase("schema", (fresh) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_create_teams.sql": "CREATE TABLE teams (id serial PRIMARY KEY, name text);",
            "20240102000000_create_notes.sql":
              "CREATE TABLE notes (id serial PRIMARY KEY, team_id int REFERENCES teams (id), user_id int);\n" +
              "CREATE TABLE tags (id serial PRIMARY KEY, organization_id int);"
          })
        )
        const rlsDir = yield* Effect.promise(() =>
          migrationDir({
            "rls.sql": [
              "CREATE OR REPLACE FUNCTION app_user_id() RETURNS int LANGUAGE sql STABLE",
              "  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::int $$;",
              "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
              "ALTER TABLE tags ENABLE ROW LEVEL SECURITY;",
              "DROP POLICY IF EXISTS notes_owner ON notes;",
              "CREATE POLICY notes_owner ON notes USING (user_id = app_user_id());",
              ""
            ].join("\n")
          })
        )
        const settings = { databaseUrl: fresh.url, schema: "tenant_app", migrationsDir: dir, rlsFile: path.join(rlsDir, "rls.sql") }
        const first = reportOf((yield* runLive(settings)).result)
        expect(first.success).toBe(true)
        expect(first.applied).toHaveLength(2)
        expect(first.rls).toMatchObject({ failed: 0, tenantTables: 2, unprotectedTables: [] })
        const tablesIn = (schema: string) =>
          Effect.promise(() =>
            fresh.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, [schema])
          ).pipe(Effect.map((rows) => rows.map((row) => row.tablename)))
        expect(yield* tablesIn("tenant_app")).toEqual(["migrations", "notes", "tags", "teams"])
        expect(yield* tablesIn("public")).toEqual([])
        const policies = yield* Effect.promise(() =>
          fresh.query<{ tablename: string }>("SELECT tablename FROM pg_policies WHERE schemaname = 'tenant_app' ORDER BY tablename")
        )
        expect(policies.map((row) => row.tablename)).toEqual(["notes"])
        const functions = yield* Effect.promise(() =>
          fresh.query<{ schema: string }>("SELECT pronamespace::regnamespace::text AS schema FROM pg_proc WHERE proname = 'app_user_id'")
        )
        expect(functions).toEqual([{ schema: "tenant_app" }])
        const again = reportOf((yield* runLive(settings)).result)
        expect(again).toMatchObject({ success: true, applied: [] })
        expect(again.rls?.failed).toBe(0)
      })))

  it.live("a journal table left by an older tool (id, name, applied_at) gets our columns, and its rows count as applied", () =>
    withFreshDatabase("older", (fresh) =>
      Effect.gen(function*() {
        yield* Effect.promise(() =>
          fresh.query(
            `CREATE TABLE migrations (id text PRIMARY KEY, name text NOT NULL, applied_at timestamptz);
             INSERT INTO migrations (id, name, applied_at) VALUES ('20240101000000_first', 'First', now());`
          )
        )
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_first.sql": "CREATE TABLE first (id int);",
            "20240102000000_second.sql": "CREATE TABLE second (id int);"
          })
        )
        const settings = { databaseUrl: fresh.url, migrationsDir: dir, rlsFile: "none" }
        const report = reportOf((yield* runLive(settings)).result)
        expect(report.applied.map((m) => m.id)).toEqual(["20240102000000_second"])
        const rows = yield* Effect.promise(() => fresh.query("SELECT id, status FROM migrations ORDER BY id"))
        expect(rows).toEqual([
          { id: "20240101000000_first", status: "applied" },
          { id: "20240102000000_second", status: "applied" }
        ])
        expect(reportOf((yield* runLive(settings)).result)).toMatchObject({ success: true, applied: [] })
      })))

  it.live("a hand-made journal whose applied_at is text still works (read in the server's time zone)", () =>
    withFreshDatabase("textdate", (fresh) =>
      Effect.gen(function*() {
        yield* Effect.promise(() =>
          fresh.query(
            `CREATE TABLE migrations (id text PRIMARY KEY, name text NOT NULL, description text, applied_at text,
               duration integer, status text);
             INSERT INTO migrations (id, name, applied_at, status) VALUES ('20240101000000_first', 'First', '2024-06-01 10:00:00+00', 'applied');`
          )
        )
        const dir = yield* Effect.promise(() =>
          migrationDir({
            "20240101000000_first.sql": "CREATE TABLE first (id int);",
            "20240102000000_second.sql": "CREATE TABLE second (id int);"
          })
        )
        const report = reportOf((yield* runLive({ databaseUrl: fresh.url, migrationsDir: dir, rlsFile: "none" })).result)
        expect(report.applied.map((m) => m.id)).toEqual(["20240102000000_second"])
      })))
})
