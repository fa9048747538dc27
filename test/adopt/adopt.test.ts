import { describe, expect, it } from "@effect/vitest"
import { cli, useCli, useTempDirs } from "../cli/support.js"
import { writeFiles } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { historyTables, toolCases } from "./tools.js"

/** `adopt --from <tool>` against each tool's history table, as that tool writes it, and its layout of files. */

useCli()
const db = useTestDatabase("adopt")
const tempDir = useTempDirs("adopt")

let schemas = 0

/** A fresh schema (DATABASE_SCHEMA) with the tool's table, and the folder of its migrations. */
const prepare = async (setup: string, files: Record<string, string>) => {
  const schema = `adopt_${++schemas}`
  await db.current.query(`CREATE SCHEMA ${schema}`)
  await db.current.query(setup.replaceAll("$S", schema))
  const dir = await tempDir()
  await writeFiles(dir, files)
  const env = { DATABASE_URL: db.current.url, DATABASE_SCHEMA: schema, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
  return { schema, env, run: (...args: Array<string>) => cli(args, env) }
}

/** Columns, indexes and rows of a table: what "left exactly as it was" compares. */
const snapshot = async (table: string) => {
  const [schema, name] = table.split(".") as [string, string]
  return {
    columns: await db.current.query(
      `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, name]
    ),
    indexes: await db.current.query("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1", [schema, name]),
    rows: await db.current.query(`SELECT * FROM ${schema}.${name} AS t ORDER BY t::text`)
  }
}

const journal = (schema: string) =>
  db.current.query<{ id: string; status: string; checksum: string | null }>(
    `SELECT id, status, checksum FROM ${schema}.migrations ORDER BY id`
  )

const journalExists = async (schema: string) =>
  (await db.current.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [`${schema}.migrations`]))[0]!.found

describe("adopt --from <tool>", () => {
  for (const tool of toolCases) {
    it(`${tool.tool}: records what it applied, leaves the rest pending, and only reads its table`, async () => {
      const { env, run, schema } = await prepare(tool.setup, tool.files)
      const table = tool.table.replaceAll("$S", schema)
      const before = await snapshot(table)

      const dry = await run("adopt", "--from", tool.tool, "--dry-run")
      expect(dry.code, dry.stdout + dry.stderr).toBe(0)
      for (const id of tool.recorded) expect(dry.stdout).toContain(id)
      expect(dry.stdout).toContain("Nothing was changed.")
      expect(await journalExists(schema)).toBe(false)

      const adopted = await run("adopt", "--from", tool.tool)
      expect(adopted.code, adopted.stdout + adopted.stderr).toBe(0)
      expect(adopted.stdout).toContain(`Recorded ${tool.recorded.length} migration`)
      const rows = await journal(schema)
      expect(rows.map((row) => row.id)).toEqual([...tool.recorded].sort())
      for (const row of rows) {
        expect(row.status).toBe("applied")
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/)
      }
      expect(await snapshot(table)).toEqual(before)

      const status = await cli(["status", "--json"], env)
      const pending = (JSON.parse(status.stdout) as { migrations: Array<{ id: string; state: string }> }).migrations
        .filter((migration) => migration.state === "pending").map((migration) => migration.id)
      expect(pending).toEqual(tool.pending)

      // Again: nothing more to record.
      const again = await run("adopt", "--from", tool.tool)
      expect(again.code, again.stdout + again.stderr).toBe(0)
      expect(again.stdout).toContain("Nothing changed")
      expect(await journal(schema)).toEqual(rows)
    })
  }
})

const refusals: ReadonlyArray<{
  readonly name: string
  readonly tool: string
  readonly table: string
  readonly setup: string
  readonly files: Record<string, string>
  readonly names: ReadonlyArray<string>
}> = [
  {
    name: "a dirty golang-migrate version",
    tool: "golang-migrate",
    table: "schema_migrations",
    setup: `${historyTables["golang-migrate"]}
             INSERT INTO $S.schema_migrations VALUES (1, true);`,
    files: { "1_a.up.sql": "SELECT 1;\n" },
    names: ["version 1 is dirty"]
  },
  {
    name: "an sqlx migration with success = false",
    tool: "sqlx",
    table: "_sqlx_migrations",
    setup: `${historyTables.sqlx}
             INSERT INTO $S._sqlx_migrations (version, description, success, checksum, execution_time)
               VALUES (1, 'a', TRUE, '\\x00', 1), (2, 'b', FALSE, '\\x00', -1);`,
    files: { "1_a.sql": "SELECT 1;\n", "2_b.sql": "SELECT 2;\n" },
    names: ["version 2 is dirty"]
  },
  {
    name: "a Prisma migration that neither finished nor was rolled back",
    tool: "prisma",
    table: "_prisma_migrations",
    setup: `${historyTables.prisma}
             INSERT INTO $S._prisma_migrations VALUES ('x1', 'c', NULL, '20240101000000_init', 'boom', NULL, now(), 0);`,
    files: { "20240101000000_init/migration.sql": "SELECT 1;\n" },
    names: ["20240101000000_init failed"]
  },
  {
    name: "a failed Flyway migration",
    tool: "flyway",
    table: "flyway_schema_history",
    setup: `${historyTables.flyway}
             INSERT INTO $S.flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'me', now(), 1, false);`,
    files: { "V1__init.sql": "SELECT 1;\n" },
    names: ["V1__init.sql failed"]
  },
  {
    name: "a held knex lock",
    tool: "knex",
    table: "knex_migrations",
    setup: `${historyTables.knex}
             CREATE TABLE $S.knex_migrations_lock (index serial primary key, is_locked integer);
             INSERT INTO $S.knex_migrations_lock (is_locked) VALUES (1);`,
    files: { "20240101000000_a.sql": "SELECT 1;\n" },
    names: ["knex_migrations_lock is locked"]
  },
  {
    name: "a history row that no file matches",
    tool: "node-pg-migrate",
    table: "pgmigrations",
    setup: `${historyTables["node-pg-migrate"]}
             INSERT INTO $S.pgmigrations (name, run_on) VALUES ('1700000000000_a', now()), ('1700000000005_gone', now());`,
    files: { "1700000000000_a.sql": "SELECT 1;\n" },
    names: ["1700000000005_gone"]
  },
  {
    name: "a file that is not of the tool's layout",
    tool: "diesel",
    table: "__diesel_schema_migrations",
    setup: `${historyTables.diesel}`,
    files: { "2024-01-01-000000_a/up.sql": "SELECT 1;\n", "20240102000000_stray.sql": "SELECT 2;\n" },
    names: ["20240102000000_stray.sql is not a migration of this tool's layout"]
  },
  {
    name: "golang-migrate's table read as dbmate's",
    tool: "dbmate",
    table: "schema_migrations",
    setup: `${historyTables["golang-migrate"]}
             INSERT INTO $S.schema_migrations VALUES (1, false);`,
    files: { "1_a.sql": "-- migrate:up\nSELECT 1;\n" },
    names: ["it is golang-migrate's history"]
  },
  {
    name: "no history table",
    tool: "goose",
    table: "",
    setup: "SELECT 1",
    files: { "00001_a.sql": "-- +goose Up\nSELECT 1;\n" },
    names: ["goose_db_version", "no such table", "--history-table"]
  }
]

describe("adopt refuses, naming what is wrong, and records nothing", () => {
  for (const refusal of refusals) {
    it(refusal.name, async () => {
      const { run, schema } = await prepare(refusal.setup, refusal.files)
      const table = `${schema}.${refusal.table}`
      const before = refusal.table === "" ? undefined : await snapshot(table)
      for (const args of [["--dry-run"], []]) {
        const result = await run("adopt", "--from", refusal.tool, ...args)
        expect(result.code, result.stdout + result.stderr).toBe(2)
        expect(result.stdout + result.stderr).toContain(`adopt --from ${refusal.tool}: nothing was recorded`)
        for (const name of refusal.names) expect(result.stdout + result.stderr).toContain(name)
      }
      expect(await journalExists(schema)).toBe(false)
      if (before !== undefined) expect(await snapshot(table)).toEqual(before)
    })
  }

  it("--history-table reads a table of another name", async () => {
    const { run, schema } = await prepare(
      `CREATE TABLE $S.my_versions (version bigint not null primary key, dirty boolean not null);
       INSERT INTO $S.my_versions VALUES (1, false);`,
      { "1_a.up.sql": "SELECT 1;\n", "2_b.up.sql": "SELECT 2;\n" }
    )
    const result = await run("adopt", "--from", "golang-migrate", "--history-table", `${schema}.my_versions`)
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect((await journal(schema)).map((row) => row.id)).toEqual(["1_a"])
  })
})
