// The same N migrations in each tool's native format. Migration i is always:
//   CREATE TABLE t_i (id bigint primary key, v text); INSERT INTO t_i VALUES (1,'x');
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"

/**
 * The RLS file our CLI finds by default, shaped like the example app's sql/enable-rls.sql: 10 statements, each
 * idempotent (the file runs at every start), two functions, RLS and a policy on four tables, here t_0 to t_3.
 */
export const rlsSql = [
  "CREATE OR REPLACE FUNCTION bench_current_user() RETURNS text\n  LANGUAGE sql STABLE\n" +
    "  AS $$ SELECT nullif(current_setting('app.current_user_id', true), '') $$;",
  "CREATE OR REPLACE FUNCTION bench_current_tenant() RETURNS bigint\n  LANGUAGE sql STABLE SECURITY DEFINER\n" +
    "  SET search_path FROM CURRENT\n  AS $fn$ SELECT id FROM t_0 WHERE v = bench_current_user() $fn$;",
  ...[0, 1, 2, 3].map((i) => `ALTER TABLE t_${i} ENABLE ROW LEVEL SECURITY;`),
  ...[0, 1, 2, 3].map((i) =>
    "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() " +
    `AND tablename = 't_${i}' AND policyname = 't_${i}_isolation') THEN\n` +
    `    CREATE POLICY t_${i}_isolation ON t_${i} USING (id = bench_current_tenant());\n  END IF;\nEND $$;`
  )
].join("\n\n") + "\n"

export const migrationSql = (i) => `CREATE TABLE t_${i} (id bigint primary key, v text); INSERT INTO t_${i} VALUES (1,'x');`

/** YYYYMMDDhhmmss, one second apart from 2024-01-01 00:00:00 UTC. */
const timestamp = (i) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace(/\D/g, "").slice(0, 14)

const pad = (i, n) => String(i).padStart(String(n).length, "0")

/** Files per tool: [relative name, contents]. */
const formats = {
  // Ours: a plain .sql file, its id the file name.
  "effect-migrate": (i, n) => [[`${timestamp(i)}_t_${pad(i, n)}.sql`, `${migrationSql(i)}\n`]],
  // The very same SQL text, run by psql one file per transaction (see run.sql).
  psql: (i, n) => [[`${timestamp(i)}_t_${pad(i, n)}.sql`, `${migrationSql(i)}\n`]],
  knex: (i, n) => [[
    `migrations/${timestamp(i)}_t_${pad(i, n)}.cjs`,
    `exports.up = (knex) => knex.raw(${JSON.stringify(migrationSql(i))})\n` +
    `exports.down = (knex) => knex.raw("DROP TABLE t_${i}")\n`
  ]],
  "node-pg-migrate": (i, n) => [[
    `${timestamp(i)}_t_${pad(i, n)}.cjs`,
    `exports.up = (pgm) => { pgm.sql(${JSON.stringify(migrationSql(i))}) }\n` +
    `exports.down = (pgm) => { pgm.sql("DROP TABLE t_${i}") }\n`
  ]],
  dbmate: (i, n) => [[
    `${timestamp(i)}_t_${pad(i, n)}.sql`,
    `-- migrate:up\n${migrationSql(i)}\n\n-- migrate:down\nDROP TABLE t_${i};\n`
  ]],
  // @effect/sql's Migrator.fromFileSystem: <numeric id>_<name>.js whose default export is an Effect.
  "effect-sql": (i, n) => [[
    `${i + 1}_t_${pad(i, n)}.js`,
    `import { SqlClient } from "@effect/sql"\nimport { Effect } from "effect"\n\n` +
    `export default Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(${JSON.stringify(migrationSql(i))}))\n`
  ]]
}

const extras = {
  psql: (dir, n, names) => [[
    "run.sql",
    `\\set ON_ERROR_STOP on\n` + names.map((name) => `BEGIN;\n\\i ${path.join(dir, name)}\nCOMMIT;\n`).join("")
  ]],
  knex: (dir) => [[
    "knexfile.cjs",
    `module.exports = {\n  client: "pg",\n  connection: process.env.DATABASE_URL,\n` +
    `  migrations: { directory: ${JSON.stringify(path.join(dir, "migrations"))}, loadExtensions: [".cjs"] }\n}\n`
  ]]
}

export const tools = Object.keys(formats)

/** Writes (once) the workload of n migrations for a tool under root; returns its directory. */
export const generate = (root, tool, n) => {
  const dir = path.join(root, tool, String(n))
  const marker = path.join(dir, ".complete")
  if (existsSync(marker) && readFileSync(marker, "utf8") === "3") return dir
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const names = []
  for (let i = 0; i < n; i++) {
    for (const [name, text] of formats[tool](i, n)) {
      const file = path.join(dir, name)
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, text)
      names.push(name)
    }
  }
  for (const [name, text] of extras[tool]?.(dir, n, names) ?? []) writeFileSync(path.join(dir, name), text)
  writeFileSync(marker, "3")
  return dir
}
