// The same N migrations in each tool's native format. Migration i is always:
//   CREATE TABLE t_i (id bigint primary key, v text); INSERT INTO t_i VALUES (1,'x');
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"

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
