import pg from "pg"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminUrl, runQuery, useTestDatabase } from "../support/testDatabase.js"
import { jsonLines, runCli, useCli, useTempDir } from "../support/cli.js"

const db = useTestDatabase("safety_errors")
const dirs = useTempDir("errors")
useCli()

const limitedRole = `em_safety_limited_${randomBytes(3).toString("hex")}`
const limitedPassword = "limited-pw-1"

beforeAll(async () => {
  await db.current.query("CREATE TABLE dup (id int)")
  await db.current.query(`CREATE ROLE ${limitedRole} LOGIN PASSWORD '${limitedPassword}'`)
  // Its own schema for the journal, and nothing else.
  await db.current.query(`CREATE SCHEMA limited AUTHORIZATION ${limitedRole}`)
})

// Declared after useTestDatabase, so it runs before the database is dropped.
afterAll(async () => {
  await db.current.query(`DROP SCHEMA limited CASCADE; DROP OWNED BY ${limitedRole}`)
  await runQuery(adminUrl(), `DROP ROLE ${limitedRole}`)
})

interface Case {
  readonly code: string
  readonly sql: string
  /** The statement the failure should point at. */
  readonly statement: RegExp
  readonly hint: RegExp
  readonly env?: Record<string, string>
  readonly error?: RegExp
}

const cases: ReadonlyArray<Case> = [
  {
    code: "42P07",
    sql: "CREATE TABLE ok_1 (id int);\nCREATE TABLE dup (id int);\n",
    statement: /^CREATE TABLE dup/,
    hint: /IF NOT EXISTS/,
    error: /relation "dup" already exists/
  },
  {
    code: "42701",
    sql: "CREATE TABLE ok_2 (id int);\nALTER TABLE dup ADD COLUMN id int;\n",
    statement: /^ALTER TABLE dup ADD COLUMN id/,
    hint: /ADD COLUMN IF NOT EXISTS/,
    error: /column "id" of relation "dup" already exists/
  },
  {
    code: "42601",
    sql: "CREATE TABLE ok_3 (id int);\nCREATE TABLE syntax_t (id int,);\n",
    statement: /^CREATE TABLE syntax_t/,
    hint: /syntax/,
    error: /syntax error/
  },
  {
    code: "42501",
    sql: "CREATE TABLE limited.ok_4 (id int);\nALTER TABLE public.dup ADD COLUMN extra int;\n",
    statement: /^ALTER TABLE public\.dup ADD COLUMN extra/,
    hint: /GRANT/,
    error: /must be owner of table dup|permission denied/,
    env: { DATABASE_SCHEMA: "limited" }
  },
  {
    code: "57014",
    // Timeouts carry no position or name: the statement is known for a one-statement migration.
    sql: "SELECT pg_sleep(5);\n",
    statement: /^SELECT pg_sleep\(5\)/,
    hint: /MIGRATION_TIMEOUT/,
    env: { MIGRATION_TIMEOUT: "500" }
  }
]

describe("errors an operator can act on", () => {
  for (const testCase of cases) {
    it(`${testCase.code}: SQLSTATE, message, migration, statement and hint`, async () => {
      const id = `20240101000000_fails_${testCase.code.toLowerCase()}`
      const dir = await dirs.make({ [`${id}.sql`]: testCase.sql })
      const url = testCase.code === "42501" ? db.current.urlWith({ user: limitedRole, password: limitedPassword }) : db.current.url
      const table = `journal_${testCase.code.toLowerCase()}`
      const base = { DATABASE_URL: url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: table, ...testCase.env }

      const json = await runCli([], { ...base, LOG_FORMAT: "json" })
      expect(json.code, json.output).toBe(1)
      const failed = jsonLines(json.stdout).find((event) => event.event === "db_migration_failed")
      expect(failed, json.output).toMatchObject({ migration_id: id, code: testCase.code })
      expect(String(failed?.error)).toMatch(testCase.error ?? /./)
      expect(String(failed?.hint)).toMatch(testCase.hint)
      expect(String(failed?.statement ?? failed?.statement_preview)).toMatch(testCase.statement)

      // The text format says the same in its ↳ lines, and the journal keeps the error for `status`.
      await db.current.query(`DELETE FROM ${testCase.env?.DATABASE_SCHEMA ?? "public"}.${table}`)
      const text = await runCli([], base)
      expect(text.code, text.output).toBe(1)
      expect(text.stdout).toContain(`❌ Migration `)
      expect(text.stdout).toMatch(new RegExp(`↳ ${testCase.code} `))
      expect(text.stdout).toMatch(/↳ statement: /)
      const [row] = await db.current.query<{ status: string; error: string }>(
        `SELECT status, error FROM ${testCase.env?.DATABASE_SCHEMA ?? "public"}.${table} WHERE id = $1`,
        [id]
      )
      expect(row?.status).toBe("failed")
      expect(row?.error).toContain(testCase.code)
      // Rolled back: the harmless first statement left nothing behind.
      const okTable = testCase.sql.match(/CREATE TABLE ((?:limited\.)?ok_\d)/)?.[1]
      if (okTable !== undefined) {
        const [exists] = await db.current.query<{ exists: boolean }>(`SELECT to_regclass('${okTable}') IS NOT NULL AS exists`)
        expect(exists?.exists).toBe(false)
      }
    })
  }

  it("42501 enforcement is real: the limited role cannot read what it was not granted", async () => {
    const client = new pg.Client({ connectionString: db.current.urlWith({ user: limitedRole, password: limitedPassword }) })
    await client.connect()
    try {
      await expect(client.query("SELECT * FROM public.dup")).rejects.toMatchObject({ code: "42501" })
    } finally {
      await client.end()
    }
  })
})
