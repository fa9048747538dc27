import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import * as path from "node:path"
import type { Migration } from "../migration.js"
import { quoteIdentifier } from "../sql/quote.js"
import { pgErrorInfo } from "../database/pgError.js"

/** The tools whose history tables `adopt` reads. */
export const tools = [
  "golang-migrate",
  "dbmate",
  "goose",
  "sqlx",
  "diesel",
  "flyway",
  "node-pg-migrate",
  "knex",
  "prisma",
  "drizzle",
  "effect-sql"
] as const

export type Tool = (typeof tools)[number]

/** What another tool recorded: the keys of its applied migrations, and what forbids adopting them. */
export interface History {
  /** One key per applied migration, in the tool's terms (a version, a file name, a hash). */
  readonly keys: ReadonlyArray<string>
  /** golang-migrate keeps only the current version: every migration up to it is applied. */
  readonly upTo?: number | undefined
  /** Dirty, failed or locked entries, in words: adopting is refused while there is any. */
  readonly problems: ReadonlyArray<string>
}

export interface ToolHistory {
  /** Where the tool keeps its history by default; `undefined` schema: DATABASE_SCHEMA. */
  readonly table: { readonly schema?: string; readonly name: string }
  readonly read: (sql: SqlClient, schema: string, table: string) => Effect.Effect<History, SqlError>
  /** The key the tool records for one of the migrations we loaded. */
  readonly keyOf: (migration: Migration) => string
}

/** A leading number as the tools that store it as a number compare it (`000001` is `1`). */
const version = (migration: Migration) => String(migration.timestamp)
const numeric = (value: unknown) => String(Number(value))
const fileName = (migration: Migration) => path.basename(migration.source)
const folderName = (migration: Migration) => path.basename(path.dirname(migration.source))

const rowsOf = <A extends object>(sql: SqlClient, text: (table: string) => string, schema: string, table: string) =>
  sql.unsafe<A>(text(`${quoteIdentifier(schema)}.${quoteIdentifier(table)}`))

const histories: Record<Tool, ToolHistory> = {
  "golang-migrate": {
    table: { name: "schema_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ version: string; dirty: boolean }>(sql, (t) => `SELECT version::text, dirty FROM ${t}`, schema, table), (rows) => ({
        keys: rows.map((row) => numeric(row.version)),
        upTo: rows[0] === undefined ? undefined : Number(rows[0].version),
        problems: rows.filter((row) => row.dirty).map((row) => `version ${row.version} is dirty (a migration failed half way)`)
      })),
    keyOf: version
  },
  dbmate: {
    table: { name: "schema_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ version: string }>(sql, (t) => `SELECT version::text FROM ${t}`, schema, table), (rows) => ({
        keys: rows.map((row) => numeric(row.version)),
        problems: []
      })),
    keyOf: version
  },
  goose: {
    table: { name: "goose_db_version" },
    read: (sql, schema, table) =>
      Effect.map(
        rowsOf<{ version_id: string; is_applied: boolean }>(
          sql,
          (t) => `SELECT DISTINCT ON (version_id) version_id::text, is_applied FROM ${t} WHERE version_id <> 0 ORDER BY version_id, id DESC`,
          schema,
          table
        ),
        (rows) => ({ keys: rows.filter((row) => row.is_applied).map((row) => numeric(row.version_id)), problems: [] })
      ),
    keyOf: version
  },
  sqlx: {
    table: { name: "_sqlx_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ version: string; success: boolean }>(sql, (t) => `SELECT version::text, success FROM ${t}`, schema, table), (rows) => ({
        keys: rows.filter((row) => row.success).map((row) => numeric(row.version)),
        problems: rows.filter((row) => !row.success).map((row) => `version ${row.version} failed (success = false)`)
      })),
    keyOf: version
  },
  diesel: {
    table: { name: "__diesel_schema_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ version: string }>(sql, (t) => `SELECT version FROM ${t}`, schema, table), (rows) => ({
        keys: rows.map((row) => numeric(row.version.replaceAll("-", ""))),
        problems: []
      })),
    keyOf: version
  },
  flyway: {
    table: { name: "flyway_schema_history" },
    read: (sql, schema, table) =>
      Effect.map(
        rowsOf<{ version: string | null; type: string; success: boolean; script: string }>(
          sql,
          (t) => `SELECT version, type, success, script FROM ${t} ORDER BY installed_rank`,
          schema,
          table
        ),
        (rows) => {
          const applied = new Set<string>()
          for (const row of rows) {
            if (row.version === null || !row.success) continue
            if (row.type.startsWith("UNDO")) applied.delete(row.version)
            else if (row.type !== "BASELINE") applied.add(row.version)
          }
          return {
            keys: [...applied],
            problems: rows.filter((row) => !row.success).map((row) => `${row.script} failed (success = false)`)
          }
        }
      ),
    keyOf: (migration) => /^V([\d._]+)__/.exec(fileName(migration))?.[1]?.replaceAll("_", ".") ?? version(migration)
  },
  "node-pg-migrate": {
    table: { name: "pgmigrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ name: string }>(sql, (t) => `SELECT name FROM ${t} ORDER BY id`, schema, table), (rows) => ({
        keys: rows.map((row) => row.name),
        problems: []
      })),
    keyOf: (migration) => fileName(migration).replace(/\.[^.]+$/, "")
  },
  knex: {
    table: { name: "knex_migrations" },
    read: (sql, schema, table) =>
      Effect.zipWith(
        rowsOf<{ name: string }>(sql, (t) => `SELECT name FROM ${t} ORDER BY id`, schema, table),
        rowsOf<{ locked: boolean }>(sql, (t) => `SELECT is_locked = 1 AS locked FROM ${t}`, schema, `${table}_lock`).pipe(
          // No lock table: knex never ran with locking here.
          Effect.catchIf((error) => pgErrorInfo(error).code === "42P01", () => Effect.succeed([]))
        ),
        (rows, locks) => ({
          keys: rows.map((row) => row.name),
          problems: locks.some((lock) => lock.locked) ? [`${table}_lock is locked: a knex migration is running, or died holding it`] : []
        })
      ),
    keyOf: fileName
  },
  prisma: {
    table: { name: "_prisma_migrations" },
    read: (sql, schema, table) =>
      Effect.map(
        rowsOf<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
          sql,
          (t) =>
            `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM ${t} ORDER BY started_at`,
          schema,
          table
        ),
        (rows) => ({
          keys: rows.filter((row) => row.finished && !row.rolled_back).map((row) => row.migration_name),
          problems: rows.filter((row) => !row.finished && !row.rolled_back).map((row) =>
            `${row.migration_name} did not finish (failed or in progress): resolve it with prisma migrate resolve first`
          )
        })
      ),
    keyOf: folderName
  },
  drizzle: {
    table: { schema: "drizzle", name: "__drizzle_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ hash: string }>(sql, (t) => `SELECT hash FROM ${t} ORDER BY id`, schema, table), (rows) => ({
        keys: rows.map((row) => row.hash),
        problems: []
      })),
    // drizzle records the sha256 of the file's text: our checksum, for a file without CR line endings.
    keyOf: (migration) => migration.checksum ?? ""
  },
  "effect-sql": {
    table: { name: "effect_sql_migrations" },
    read: (sql, schema, table) =>
      Effect.map(rowsOf<{ migration_id: string }>(sql, (t) => `SELECT migration_id::text FROM ${t}`, schema, table), (rows) => ({
        keys: rows.map((row) => numeric(row.migration_id)),
        problems: []
      })),
    keyOf: version
  }
}

export const historyOf = (tool: Tool): ToolHistory => histories[tool]
