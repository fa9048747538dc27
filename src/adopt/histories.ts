import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import * as path from "node:path"
import type { Migration } from "../migration.js"
import { flywayOrder } from "../source/layout.js"
import { quoteIdentifier } from "../sql/quote.js"

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
  /**
   * Every migration ordered at or before `order` counts as applied: golang-migrate keeps only its current version,
   * Flyway's baseline covers every version up to its own. `mustMatch`: the key must be one of the files.
   */
  readonly through?: { readonly key: string; readonly order: number; readonly mustMatch: boolean } | undefined
  /** Dirty, failed or locked entries, in words: adopting is refused while there is any. */
  readonly problems: ReadonlyArray<string>
}

export interface TableName {
  readonly schema: string
  readonly name: string
}

/** `"schema"."table"`, as the history's SELECTs name it. */
export const qualified = (at: TableName) => `${quoteIdentifier(at.schema)}.${quoteIdentifier(at.name)}`

export interface ToolHistory {
  /** Where the tool keeps its history by default; `undefined` schema: DATABASE_SCHEMA. */
  readonly table: { readonly schema?: string; readonly name: string }
  /** The columns the tool's table has (as its source creates it): a table without them is not its history. */
  readonly columns: ReadonlyArray<string>
  /** Only SELECTs: the other tool's table is never changed. */
  readonly read: (sql: SqlClient, at: TableName) => Effect.Effect<History, SqlError>
  /** The key the tool records for one of our migrations; undefined for a file that is not of its layout. */
  readonly keyOf: (migration: Migration) => string | undefined
  /** The layout the tool's files have, for the message about a file that is not of it. */
  readonly layout: string
  /** A column that tells the table is another tool's of the same name (golang-migrate's and dbmate's `schema_migrations`). */
  readonly notWith?: { readonly column: string; readonly tool: Tool }
}

const fileName = (migration: Migration) => path.basename(migration.source)
const folderName = (migration: Migration) => path.basename(path.dirname(migration.source))
const stem = (name: string) => name.replace(/\.(up\.sql|down\.sql|[^.]+)$/, "")

/** A number as the tools that store it as an integer compare it: `000001` is `1`. */
export const normalizeNumber = (digits: string) => digits.replace(/^0+(?=\d)/, "")
/** The leading digits of the file's name, as written (dbmate compares them as text). */
const leadingDigits = (migration: Migration) => /^(\d+)_/.exec(fileName(migration))?.[1]
const numericVersion = (migration: Migration) => {
  const digits = leadingDigits(migration)
  return digits === undefined ? undefined : normalizeNumber(digits)
}

/** A Flyway version as Flyway compares it: `1_1` is `1.1`, `1.0` is `1`, `01` is `1`. */
export const normalizeFlyway = (version: string) => {
  const parts = version.split(/[._]/).map(normalizeNumber)
  while (parts.length > 1 && parts.at(-1) === "0") parts.pop()
  return parts.join(".")
}

const select = <A extends object>(sql: SqlClient, text: string) => sql.unsafe<A>(text)

const plainHistory = (keys: ReadonlyArray<string>): History => ({ keys, problems: [] })

const histories: Record<Tool, ToolHistory> = {
  // database/postgres: one row (version bigint, dirty boolean), the current version; every file up to it is applied.
  "golang-migrate": {
    table: { name: "schema_migrations" },
    columns: ["version", "dirty"],
    layout: "<version>_<name>.up.sql / .down.sql",
    read: (sql, at) =>
      Effect.map(select<{ version: string; dirty: boolean }>(sql, `SELECT version::text AS version, dirty FROM ${qualified(at)}`), (rows) => ({
        keys: [],
        through: rows[0] === undefined
          ? undefined
          : { key: normalizeNumber(rows[0].version), order: Number(rows[0].version), mustMatch: true },
        problems: rows.filter((row) => row.dirty).map((row) =>
          `version ${row.version} is dirty (it failed half way): fix the schema by hand and \`migrate force\` a clean version first`
        )
      })),
    keyOf: numericVersion
  },
  // One row per applied version (varchar), compared as text; no failure marker (a failed migration leaves no row).
  dbmate: {
    table: { name: "schema_migrations" },
    columns: ["version"],
    notWith: { column: "dirty", tool: "golang-migrate" },
    layout: "<version>_<name>.sql with -- migrate:up",
    read: (sql, at) =>
      Effect.map(select<{ version: string }>(sql, `SELECT version FROM ${qualified(at)}`), (rows) => plainHistory(rows.map((row) => row.version))),
    keyOf: leadingDigits
  },
  // goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp): the newest row of a version decides;
  // version 0 is the row goose writes when it creates the table.
  goose: {
    table: { name: "goose_db_version" },
    columns: ["id", "version_id", "is_applied"],
    layout: "<version>_<name>.sql with -- +goose Up",
    read: (sql, at) =>
      Effect.map(
        select<{ version_id: string; is_applied: boolean }>(
          sql,
          `SELECT DISTINCT ON (version_id) version_id::text AS version_id, is_applied FROM ${qualified(at)}
            WHERE version_id <> 0 ORDER BY version_id, id DESC`
        ),
        (rows) => plainHistory(rows.filter((row) => row.is_applied).map((row) => normalizeNumber(row.version_id)))
      ),
    keyOf: numericVersion
  },
  // _sqlx_migrations (version bigint, description, installed_on, success, checksum, execution_time).
  sqlx: {
    table: { name: "_sqlx_migrations" },
    columns: ["version", "description", "success", "checksum"],
    layout: "<version>_<name>.sql, or .up.sql / .down.sql",
    read: (sql, at) =>
      Effect.map(select<{ version: string; success: boolean }>(sql, `SELECT version::text AS version, success FROM ${qualified(at)}`), (rows) => ({
        keys: rows.filter((row) => row.success).map((row) => normalizeNumber(row.version)),
        problems: rows.filter((row) => !row.success).map((row) =>
          `version ${row.version} is dirty (success = false): sqlx refuses to go on until it is fixed and its row removed`
        )
      })),
    keyOf: numericVersion
  },
  // __diesel_schema_migrations (version varchar(50), run_on): the folder name before its first `_`, dashes removed.
  diesel: {
    table: { name: "__diesel_schema_migrations" },
    columns: ["version", "run_on"],
    layout: "<version>_<name>/up.sql folders",
    read: (sql, at) =>
      Effect.map(select<{ version: string }>(sql, `SELECT version FROM ${qualified(at)}`), (rows) => plainHistory(rows.map((row) => row.version))),
    keyOf: (migration) =>
      fileName(migration) === "up.sql" ? folderName(migration).split("_")[0]!.replaceAll("-", "") : undefined
  },
  flyway: {
    table: { name: "flyway_schema_history" },
    columns: ["installed_rank", "version", "type", "script", "success"],
    layout: "V<version>__<name>.sql",
    read: (sql, at) =>
      Effect.map(
        select<{ version: string | null; type: string; success: boolean; script: string }>(
          sql,
          `SELECT version, type, success, script FROM ${qualified(at)} ORDER BY installed_rank`
        ),
        flywayHistory
      ),
    keyOf: (migration) => {
      const version = /^V(\d+(?:[._]\d+)*)__/.exec(fileName(migration))?.[1]
      return version === undefined ? undefined : normalizeFlyway(version)
    }
  },
  // pgmigrations (id serial, name varchar(255), run_on): the file name without its extension.
  "node-pg-migrate": {
    table: { name: "pgmigrations" },
    columns: ["id", "name", "run_on"],
    layout: "<timestamp>_<name>.sql (or .js/.ts)",
    read: (sql, at) =>
      Effect.map(select<{ name: string }>(sql, `SELECT name FROM ${qualified(at)} ORDER BY id`), (rows) => plainHistory(rows.map((row) => row.name))),
    keyOf: (migration) => stem(fileName(migration))
  },
  // knex_migrations (id, name, batch, migration_time) holds the file name with its extension; knex_migrations_lock
  // (index, is_locked) is 1 while a run holds it. Matched without the extension: a .js migration rewritten as .sql matches.
  knex: {
    table: { name: "knex_migrations" },
    columns: ["id", "name", "batch", "migration_time"],
    layout: "<timestamp>_<name>.<ext>",
    read: (sql, at) =>
      Effect.gen(function*() {
        const rows = yield* select<{ name: string }>(sql, `SELECT name FROM ${qualified(at)} ORDER BY id`)
        const lock = { schema: at.schema, name: `${at.name}_lock` }
        const [found] = yield* sql.unsafe<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [qualified(lock)])
        // No lock table: that knex never took its lock here.
        const locks = found?.exists === true
          ? yield* select<{ locked: boolean }>(sql, `SELECT is_locked = 1 AS locked FROM ${qualified(lock)}`)
          : []
        return {
          keys: rows.map((row) => stem(row.name)),
          problems: locks.some((row) => row.locked)
            ? [`${lock.schema}.${lock.name} is locked: a knex migration is running, or one died holding it (knex migrate:unlock)`]
            : []
        }
      }),
    keyOf: (migration) => stem(fileName(migration))
  },
  // _prisma_migrations: applied when finished and not rolled back; a row neither finished nor rolled back failed.
  prisma: {
    table: { name: "_prisma_migrations" },
    columns: ["migration_name", "finished_at", "rolled_back_at", "started_at"],
    layout: "<timestamp>_<name>/migration.sql folders",
    read: (sql, at) =>
      Effect.map(
        select<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
          sql,
          `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
             FROM ${qualified(at)} ORDER BY started_at`
        ),
        (rows) => ({
          keys: rows.filter((row) => row.finished && !row.rolled_back).map((row) => row.migration_name),
          problems: rows.filter((row) => !row.finished && !row.rolled_back).map((row) =>
            `${row.migration_name} failed or is still running (finished_at and rolled_back_at are empty): ` +
            "resolve it with `prisma migrate resolve` first"
          )
        })
      ),
    keyOf: (migration) => (fileName(migration) === "migration.sql" ? folderName(migration) : undefined)
  },
  // drizzle.__drizzle_migrations (id serial, hash text, created_at bigint): the sha256 of the file's text with LF
  // line endings, which is our checksum.
  drizzle: {
    table: { schema: "drizzle", name: "__drizzle_migrations" },
    columns: ["id", "hash", "created_at"],
    layout: "<index>_<name>.sql with meta/_journal.json",
    read: (sql, at) =>
      Effect.map(select<{ hash: string }>(sql, `SELECT hash FROM ${qualified(at)} ORDER BY id`), (rows) => plainHistory(rows.map((row) => row.hash))),
    keyOf: (migration) => migration.checksum
  },
  // @effect/sql's Migrator: effect_sql_migrations (migration_id integer, created_at, name), ids from `<id>_<name>`.
  "effect-sql": {
    table: { name: "effect_sql_migrations" },
    columns: ["migration_id", "name", "created_at"],
    layout: "<id>_<name>.ts",
    read: (sql, at) =>
      Effect.map(
        select<{ migration_id: string }>(sql, `SELECT migration_id::text AS migration_id FROM ${qualified(at)}`),
        (rows) => plainHistory(rows.map((row) => normalizeNumber(row.migration_id)))
      ),
    keyOf: numericVersion
  }
}

/**
 * Flyway's rows in order: versioned SQL/JDBC rows apply, UNDO and DELETE rows take them back, a BASELINE row covers
 * every version up to its own; SCHEMA rows and repeatable migrations (no version) are not migrations of ours.
 */
const flywayHistory = (
  rows: ReadonlyArray<{ version: string | null; type: string; success: boolean; script: string }>
): History => {
  const applied = new Set<string>()
  let baseline: string | undefined
  for (const row of rows) {
    if (row.version === null || !row.success) continue
    const version = normalizeFlyway(row.version)
    if (row.type === "BASELINE") baseline = version
    else if (row.type.startsWith("UNDO") || row.type === "DELETE") applied.delete(version)
    else if (row.type !== "SCHEMA") applied.add(version)
  }
  return {
    keys: [...applied],
    through: baseline === undefined ? undefined : { key: baseline, order: flywayOrder(baseline), mustMatch: false },
    problems: rows.filter((row) => !row.success).map((row) =>
      `${row.script} failed (success = false): \`flyway repair\` removes the failed row once the schema is fixed`
    )
  }
}

export const historyOf = (tool: Tool): ToolHistory => histories[tool]
