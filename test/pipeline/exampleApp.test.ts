import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll } from "vitest"
import { useTestDatabase } from "../support/testDatabase.js"
import { normalise, reportOf, runLive } from "./support.js"

const db = useTestDatabase("example_app")
const role = `em_app_user_${randomBytes(4).toString("hex")}`
const password = `pw-${randomBytes(6).toString("hex")}`

afterAll(async () => {
  await db.current.query(`DROP OWNED BY ${role}`).catch(() => undefined)
  await db.current.query(`DROP ROLE IF EXISTS ${role}`)
})

const query = <Row = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>) =>
  Effect.promise(() => db.current.query<Row>(text, params))

describe("the example app on a real server", () => {
  it.live("a fresh database: every migration applied, then the RLS file, with the DESIGN.md lines", () =>
    Effect.gen(function*() {
      const { logs, result } = yield* runLive({ databaseUrl: db.current.url })
      const report = reportOf(result)
      expect(report.success).toBe(true)
      expect(report.applied.map((m) => m.name)).toEqual([
        "Create Organizations",
        "Create Users",
        "Create User Data",
        "Add User Preferences",
        "Add API Key Security Fields"
      ])
      expect(report.rls).toMatchObject({ failed: 0, tenantTables: 3, unprotectedTables: [] })
      const statements = report.rls!.statements
      expect(statements).toBeGreaterThanOrEqual(8)
      expect(normalise(logs)).toEqual([
        "[INFO] 🔄 Database migration process started",
        "[INFO] ⚙️ Initializing migration system",
        "[INFO] ✅ Migration system initialized in Nms with 5 registered migrations",
        "[INFO] ⏳ Running pending migrations...",
        "[INFO] ✅ Migration Create Organizations: APPLIED (Nms)",
        "[INFO] ✅ Migration Create Users: APPLIED (Nms)",
        "[INFO] ✅ Migration Create User Data: APPLIED (Nms)",
        "[INFO] ✅ Migration Add User Preferences: APPLIED (Nms)",
        "[INFO] ✅ Migration Add API Key Security Fields: APPLIED (Nms)",
        "[INFO] 📊 Migration results: 5 applied, 0 skipped, 0 failed",
        "[INFO] 🔒 Running Row Level Security (RLS) migration",
        "[INFO] 📄 Found RLS migration SQL file",
        `[INFO] 📝 Executing ${statements} RLS SQL statements`,
        `[INFO] ✅ RLS migration completed in Nms (${statements} succeeded, 0 failed)`,
        "[INFO] ✅ Database migration completed successfully in Nms"
      ])
      const rows = yield* query<{ id: string; status: string; duration: number; applied_at: Date; name: string }>(
        "SELECT id, name, status, duration, applied_at FROM migrations ORDER BY id"
      )
      expect(rows.map((row) => [row.id, row.status])).toEqual([
        ["20240101000000_create_organizations", "applied"],
        ["20240102000000_create_users", "applied"],
        ["20240103000000_create_user_data", "applied"],
        ["20240104000000_add_user_preferences", "applied"],
        ["20240105000000_add_api_key_security_fields", "applied"]
      ])
      for (const row of rows) {
        expect(row.duration).toBeGreaterThanOrEqual(0)
        expect(row.applied_at).toBeInstanceOf(Date)
      }
      const rls = yield* query<{ relname: string }>(
        "SELECT relname FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace ORDER BY relname"
      )
      expect(rls.map((row) => row.relname)).toEqual(["api_keys", "organizations", "user_data", "users"])
      const tables = yield* query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
      expect(tables.map((row) => row.tablename)).toEqual(["api_keys", "migrations", "organizations", "user_data", "users"])
      const policies = yield* query<{ tablename: string }>("SELECT tablename FROM pg_policies WHERE schemaname = 'public' ORDER BY tablename")
      expect(policies.map((row) => row.tablename)).toEqual(["api_keys", "organizations", "user_data", "users"])
    }))

  it.live("a second run applies nothing and the RLS file runs again without failures", () =>
    Effect.gen(function*() {
      const { logs, result } = yield* runLive({ databaseUrl: db.current.url })
      const report = reportOf(result)
      expect(report).toMatchObject({ success: true, applied: [], skipped: [], failed: [] })
      expect(report.rls?.failed).toBe(0)
      expect(logs).toContain("[INFO] 📊 Migration results: 0 applied, 0 skipped, 0 failed")
      expect(yield* query("SELECT count(*)::int AS count FROM migrations")).toEqual([{ count: 5 }])
    }))

  it.live("as a non-superuser role with app.current_user_id set, a user sees and writes only its own rows", () =>
    Effect.gen(function*() {
      yield* query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS`)
      yield* query(`GRANT USAGE ON SCHEMA public TO ${role}`)
      yield* query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ${role}`)
      yield* query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`)
      const [org] = yield* query<{ id: string }>(`INSERT INTO organizations (name, slug) VALUES ('Acme', 'acme') RETURNING id`)
      const [other] = yield* query<{ id: string }>(`INSERT INTO organizations (name, slug) VALUES ('Other', 'other') RETURNING id`)
      const [alice] = yield* query<{ id: string }>(
        `INSERT INTO users (organization_id, email, display_name) VALUES ($1, 'alice@acme.test', 'Alice') RETURNING id`,
        [org!.id]
      )
      const [bob] = yield* query<{ id: string }>(
        `INSERT INTO users (organization_id, email, display_name) VALUES ($1, 'bob@other.test', 'Bob') RETURNING id`,
        [other!.id]
      )
      yield* query(
        `INSERT INTO user_data (user_id, organization_id, key, value) VALUES
           ($1, $2, 'theme', '"dark"'), ($1, $2, 'lang', '"en"'), ($3, $4, 'theme', '"light"')`,
        [alice!.id, org!.id, bob!.id, other!.id]
      )

      const asRole = (userId: string | undefined, statements: ReadonlyArray<string>) =>
        Effect.acquireUseRelease(
          Effect.promise(async () => {
            const client = new pg.Client({ connectionString: db.current.urlWith({ user: role, password }) })
            await client.connect()
            return client
          }),
          (client) =>
            Effect.promise(async () => {
              const [{ current_user: who, is_superuser }] = (await client.query("SELECT current_user, current_setting('is_superuser') AS is_superuser")).rows
              expect([who, is_superuser]).toEqual([role, "off"])
              if (userId !== undefined) await client.query("SELECT set_config('app.current_user_id', $1, false)", [userId])
              const results: Array<ReadonlyArray<Record<string, unknown>> | string> = []
              for (const statement of statements) {
                try {
                  results.push((await client.query(statement)).rows)
                } catch (error) {
                  results.push(`${(error as { code?: string }).code}`)
                }
              }
              return results
            }),
          (client) => Effect.promise(() => client.end())
        )

      const read = ["SELECT key FROM user_data ORDER BY key", "SELECT email FROM users", "SELECT slug FROM organizations"]
      expect(yield* asRole(alice!.id, read)).toEqual([
        [{ key: "lang" }, { key: "theme" }],
        [{ email: "alice@acme.test" }],
        [{ slug: "acme" }]
      ])
      expect(yield* asRole(bob!.id, read)).toEqual([[{ key: "theme" }], [{ email: "bob@other.test" }], [{ slug: "other" }]])
      expect(yield* asRole(undefined, read)).toEqual([[], [], []])
      expect(
        yield* asRole(alice!.id, [
          `INSERT INTO user_data (user_id, organization_id, key) VALUES ('${alice!.id}', '${org!.id}', 'mine') RETURNING key`,
          `INSERT INTO user_data (user_id, organization_id, key) VALUES ('${bob!.id}', '${other!.id}', 'theirs') RETURNING key`
        ])
      ).toEqual([[{ key: "mine" }], "42501"])
    }))

  it.live("LOG_FORMAT=json: the same run as JSON lines with top-level events", () =>
    Effect.gen(function*() {
      const { lines, result } = yield* runLive({ databaseUrl: db.current.url }, {}, "json")
      expect(reportOf(result).success).toBe(true)
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(entries[0]).toMatchObject({ event: "db_migration_started", level: "INFO" })
      expect(entries.at(-1)).toMatchObject({ event: "db_migration_completed", status: "success", applied: 0 })
      expect(entries.find((entry) => entry.event === "db_rls_completed")).toMatchObject({ failed: 0, tenant_tables: 3, protected_tables: 3 })
    }))
})
