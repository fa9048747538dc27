import { SqlClient } from "@effect/sql"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { PgliteTest } from "effect-migrate/testing"

// One in-memory PostgreSQL for the whole file, with migrations/ and the RLS file applied once.
it.layer(
  PgliteTest.layer({ migrationsDir: "migrations", rlsFile: "sql/enable-rls.sql" }),
  { timeout: "120 seconds" }
)("the app's migrations", (it) => {
  it.effect("apply every migration and the RLS file", () =>
    Effect.gen(function*() {
      const { report } = yield* PgliteTest
      expect(report.success).toBe(true)
      expect(report.applied.map((migration) => migration.id)).toEqual([
        "20240101000000_create_organizations",
        "20240102000000_create_users",
        "20240103000000_create_user_data",
        "20240104000000_add_user_preferences",
        "20240105000000_add_api_key_security_fields"
      ])
      expect(report.applied.map((migration) => migration.name)).toEqual([
        "Create Organizations",
        "Create Users",
        "Create User Data",
        "Add User Preferences",
        "Add API Key Security Fields"
      ])
      expect(report.rls).toMatchObject({ statements: 10, succeeded: 10, failed: 0, unprotectedTables: [] })
    }))

  it.effect("create the tables, with row level security on", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{ name: string; rls: boolean }>`
        SELECT relname AS name, relrowsecurity AS rls FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`
      expect(tables).toEqual([
        { name: "api_keys", rls: true },
        { name: "migrations", rls: false },
        { name: "organizations", rls: true },
        { name: "user_data", rls: true },
        { name: "users", rls: true }
      ])
      const policies = yield* sql<{ tablename: string }>`SELECT tablename FROM pg_policies ORDER BY tablename`
      expect(policies.map((row) => row.tablename)).toEqual(["api_keys", "organizations", "user_data", "users"])
      const columns = yield* sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'users' AND column_name IN ('preferences', 'locale') ORDER BY column_name`
      expect(columns.map((row) => row.column_name)).toEqual(["locale", "preferences"])
    }))

  it.effect("record each migration in the journal", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ id: string; status: string }>`SELECT id, status FROM migrations ORDER BY id`
      expect(rows).toHaveLength(5)
      expect(rows.every((row) => row.status === "applied")).toBe(true)
    }))

  it.effect("let a user read only the rows of their organization", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [acme] = yield* sql<{ id: string }>`
        INSERT INTO organizations (name, slug) VALUES ('Acme', 'acme') RETURNING id`
      yield* sql`INSERT INTO organizations (name, slug) VALUES ('Globex', 'globex')`
      const [alice] = yield* sql<{ id: string }>`
        INSERT INTO users (organization_id, email, display_name)
        VALUES (${acme!.id}, 'alice@acme.test', 'Alice') RETURNING id`
      // The migration role owns the tables and bypasses RLS; the app connects as another role.
      yield* sql`CREATE ROLE app_user`
      yield* sql`GRANT SELECT ON organizations, users TO app_user`
      const visible = yield* sql.withTransaction(
        Effect.gen(function*() {
          yield* sql`SET LOCAL ROLE app_user`
          yield* sql`SELECT set_config('app.current_user_id', ${alice!.id}, true)`
          return yield* sql<{ slug: string }>`SELECT slug FROM organizations ORDER BY slug`
        })
      )
      expect(visible).toEqual([{ slug: "acme" }])
    }))
})
