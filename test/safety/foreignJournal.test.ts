import { describe, expect, it } from "@effect/vitest"
import { cli, useCli, useTempDirs } from "../cli/support.js"
import { writeFiles } from "../support/cli.js"
import { writeFile } from "node:fs/promises"
import { createDatabase, dropDatabase, type TestDatabase, useTestDatabase } from "../support/testDatabase.js"

/** A table named like the journal that is not ours (an app's, TypeORM's, postgres-migrations') is never altered. */

useCli()
const db = useTestDatabase("foreign_journal")
const tempDir = useTempDirs("foreign")

const migrations = {
  "20240101000000_create_colors.sql": "CREATE TABLE colors (id int);\n",
  "20240102000000_create_sizes.sql": "CREATE TABLE sizes (id int);\n"
}

/** Columns with their types, defaults and nullability, indexes, and every row, in a fixed order. */
const snapshot = async (database: TestDatabase, schema: string, table: string) => ({
  columns: await database.query(
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table]
  ),
  indexes: await database.query("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1", [schema, table]),
  policies: await database.query<{ rls: boolean }>(
    "SELECT c.relrowsecurity AS rls FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
    [schema, table]
  ),
  rows: await database.query(`SELECT * FROM "${schema}"."${table}" AS t ORDER BY t::text`)
})

const cases = [
  {
    name: "an app's users table given as MIGRATION_TABLE",
    schema: "public",
    table: "users",
    setup: `CREATE TABLE public.users (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, created_at timestamptz DEFAULT now());
            INSERT INTO public.users (name, email) VALUES ('Ada', 'ada@example.com'), ('Linus', NULL);`
  },
  {
    name: "TypeORM's migrations table",
    schema: "public",
    table: "migrations",
    setup: `CREATE TABLE public.migrations (id SERIAL NOT NULL, "timestamp" bigint NOT NULL, name character varying NOT NULL,
              CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY (id));
            INSERT INTO public.migrations ("timestamp", name) VALUES (1700000000000, 'Init1700000000000');`
  },
  {
    name: "postgres-migrations' table in DATABASE_SCHEMA=storage",
    schema: "storage",
    table: "migrations",
    setup: `CREATE SCHEMA storage;
            CREATE TABLE storage.migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL,
              hash varchar(40) NOT NULL, executed_at timestamp DEFAULT current_timestamp);
            INSERT INTO storage.migrations (id, name, hash) VALUES (0, 'create-migrations-table', 'e18db593bcde387ceb4ca5c0d13de4d1b3d2e6f5');`
  }
]

describe("a journal table that is not ours", () => {
  for (const foreign of cases) {
    it(`${foreign.name}: every command refuses with the table named, and it is left exactly as it was`, async () => {
      const database = await createDatabase("foreign")
      try {
        await database.query(foreign.setup)
        const dir = await tempDir()
        await writeFiles(dir, migrations)
        const rls = `${dir}.rls.sql`
        await writeFile(rls, `ALTER TABLE ${foreign.schema}.${foreign.table} ENABLE ROW LEVEL SECURITY;\n`)
        const env = {
          DATABASE_URL: database.url,
          DATABASE_SCHEMA: foreign.schema,
          MIGRATION_TABLE: foreign.table,
          MIGRATIONS_DIR: dir,
          RLS_FILE: rls
        }
        const before = await snapshot(database, foreign.schema, foreign.table)
        for (
          const args of [
            [],
            ["up"],
            ["status"],
            ["status", "--json"],
            ["mark-applied", "20240101000000_create_colors"],
            ["baseline", "--to", "20240102000000_create_sizes"],
            ["down"],
            ["verify"]
          ]
        ) {
          const result = await cli(args, env)
          const output = result.stdout + result.stderr
          expect(result.code, `${args.join(" ")}: ${output}`).toBe(2)
          expect(output).toContain(`table ${foreign.schema}.${foreign.table} exists and is not an effect-migrate journal`)
          expect(output).toContain("MIGRATION_TABLE")
          expect(output).not.toContain("TypeError")
        }
        expect(await snapshot(database, foreign.schema, foreign.table)).toEqual(before)
        const created = await database.query<{ found: boolean }>("SELECT to_regclass('public.colors') IS NOT NULL AS found")
        expect(created[0]!.found).toBe(false)
      } finally {
        await dropDatabase(database.name)
      }
    })
  }

  it("our own older journal (id, name, applied_at) is upgraded in place and its rows kept", async () => {
    await db.current.query(`CREATE TABLE public.migrations (id text PRIMARY KEY, name text NOT NULL, applied_at timestamptz DEFAULT now());
                            INSERT INTO public.migrations (id, name) VALUES ('20240101000000_create_colors', 'Create colors');`)
    const dir = await tempDir()
    await writeFiles(dir, migrations)
    const result = await cli(["up"], { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" })
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const rows = await db.current.query<{ id: string; status: string }>("SELECT id, status FROM public.migrations ORDER BY id")
    expect(rows).toEqual([
      { id: "20240101000000_create_colors", status: "applied" },
      { id: "20240102000000_create_sizes", status: "applied" }
    ])
  })
})
