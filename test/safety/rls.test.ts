import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { adminUrl, runQuery, useTestDatabase } from "../support/testDatabase.js"
import { jsonLines, runCli, useCli, useTempDir, writeFiles } from "../support/cli.js"

const db = useTestDatabase("safety_rls")
const dirs = useTempDir("rls")
useCli()

const appRole = `em_safety_rls_${randomBytes(3).toString("hex")}`
const appPassword = "rls-app-pw-1"

// Declared after useTestDatabase, so it runs before the database is dropped.
afterAll(async () => {
  const exists = await runQuery(adminUrl(), `SELECT 1 FROM pg_roles WHERE rolname = '${appRole}'`)
  if (exists.length === 0) return
  await db.current.query(`DROP OWNED BY ${appRole}`)
  await runQuery(adminUrl(), `DROP ROLE ${appRole}`)
})

const migrations = {
  "20240101000000_tables.sql": [
    "CREATE TABLE notes (id serial PRIMARY KEY, user_id int NOT NULL, body text);",
    "CREATE TABLE projects (id serial PRIMARY KEY, organization_id int NOT NULL, name text);",
    "CREATE TABLE audit (id serial PRIMARY KEY, user_id int, action text);",
    "CREATE TABLE countries (code text PRIMARY KEY);",
    ""
  ].join("\n")
}

const rlsFile = [
  "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
  "ALTER TABLE projects ENABLE ROW LEVEL SECURITY;",
  "DROP POLICY IF EXISTS notes_owner ON notes;",
  "CREATE POLICY notes_owner ON notes USING (user_id = nullif(current_setting('app.user_id', true), '')::int);",
  "DROP POLICY IF EXISTS projects_org ON projects;",
  "CREATE POLICY projects_org ON projects USING (organization_id = nullif(current_setting('app.org_id', true), '')::int);",
  ""
].join("\n")

describe("RLS coverage", () => {
  it("reports each tenant table without RLS and the coverage; strict mode makes it an error", async () => {
    const dir = await dirs.make(migrations)
    const rlsDir = await dirs.make({ "rls.sql": rlsFile })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: `${rlsDir}/rls.sql` }

    const json = await runCli([], { ...env, LOG_FORMAT: "json" })
    expect(json.code, json.output).toBe(0)
    const events = jsonLines(json.stdout)
    const unprotected = events.filter((event) => event.event === "db_rls_table_unprotected")
    expect(unprotected).toHaveLength(1)
    expect(unprotected[0]).toMatchObject({ level: "WARN", table: "audit", columns: ["user_id"] })
    expect(events.find((event) => event.event === "db_rls_coverage")).toMatchObject({ protected_tables: 2, tenant_tables: 3 })
    expect(events.find((event) => event.event === "db_rls_completed")).toMatchObject({ protected_tables: 2, tenant_tables: 3 })

    const text = await runCli([], env)
    expect(text.code, text.output).toBe(0)
    expect(text.stdout).toMatch(/\[WARN(ING)?\] ⚠️ Table audit has user_id but no row level security/)
    expect(text.stdout).toContain("🔒 RLS coverage: 2/3 tenant tables protected")

    const strict = await runCli([], { ...env, MIGRATION_VALIDATE: "strict" })
    expect(strict.code, strict.output).toBe(1)
    expect(strict.stdout, strict.output).toMatch(/\[ERROR\] ❌ Migration process completed with errors: .*1 tenant table without RLS/)

    // Protect the last one: full coverage, strict mode passes.
    await writeFiles(rlsDir, { "rls.sql": `${rlsFile}ALTER TABLE audit ENABLE ROW LEVEL SECURITY;\n` })
    const full = await runCli([], { ...env, MIGRATION_VALIDATE: "strict", LOG_FORMAT: "json" })
    expect(full.code, full.output).toBe(0)
    expect(jsonLines(full.stdout).find((event) => event.event === "db_rls_completed")).toMatchObject({ protected_tables: 3, tenant_tables: 3 })
    expect(full.stdout).not.toContain("no row level security")
  })

  it("enforces the policies for a non-superuser role", async () => {
    await db.current.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${appPassword}'`)
    await db.current.query(`GRANT SELECT, INSERT ON notes, projects TO ${appRole}; GRANT USAGE ON SEQUENCE notes_id_seq TO ${appRole}`)
    await db.current.query("INSERT INTO notes (user_id, body) VALUES (1, 'mine'), (2, 'theirs'); INSERT INTO projects (organization_id, name) VALUES (10, 'a'), (20, 'b')")
    const app = new pg.Client({ connectionString: db.current.urlWith({ user: appRole, password: appPassword }) })
    await app.connect()
    try {
      expect((await app.query("SELECT body FROM notes")).rows).toEqual([])
      await app.query("SELECT set_config('app.user_id', '1', false), set_config('app.org_id', '20', false)")
      expect((await app.query("SELECT body FROM notes")).rows).toEqual([{ body: "mine" }])
      expect((await app.query("SELECT name FROM projects")).rows).toEqual([{ name: "b" }])
      await expect(app.query("INSERT INTO notes (user_id, body) VALUES (2, 'forged')")).rejects.toMatchObject({ code: "42501" })
      await app.query("INSERT INTO notes (user_id, body) VALUES (1, 'new')")
      expect((await app.query("SELECT count(*)::int AS n FROM notes")).rows).toEqual([{ n: 2 }])
    } finally {
      await app.end()
    }
  })
})
