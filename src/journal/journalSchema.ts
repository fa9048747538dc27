import { ConfigError } from "../errors.js"

/** The journal's columns besides `id` and `name`, with their types: added to an older journal of ours. */
export const ourColumns: ReadonlyArray<readonly [string, string]> = [
  ["description", "text"],
  ["applied_at", "timestamptz DEFAULT now()"],
  ["duration", "integer"],
  ["status", "text NOT NULL DEFAULT 'applied'"],
  ["checksum", "text"],
  ["error", "text"],
  ["timestamp", "bigint"]
]

/** A column of an existing table, as the catalogue describes it (`format_type`). */
export interface ExistingColumn {
  readonly name: string
  readonly type: string
}

const ourNames = new Set(["id", "name", ...ourColumns.map(([column]) => column)])

/**
 * Whether an existing table is a journal of ours (perhaps an older one, missing some columns): a text `id`, a `name`,
 * and no column we do not know. TypeORM's `migrations` (integer id, `timestamp`), postgres-migrations' (integer id,
 * `hash`, `executed_at`) and an app's table fail it; they are never altered.
 */
export const isOurJournal = (columns: ReadonlyArray<ExistingColumn>): boolean => {
  const id = columns.find((column) => column.name === "id")
  return id !== undefined && /^(text|character varying|varchar)\b/.test(id.type) &&
    columns.some((column) => column.name === "name") && columns.every((column) => ourNames.has(column.name))
}

/** The refusal to use another tool's or the app's table as the journal, naming it and the way out. */
export const foreignJournal = (schema: string, table: string, columns: ReadonlyArray<ExistingColumn>) =>
  new ConfigError({
    variable: "MIGRATION_TABLE",
    message: `table ${schema}.${table} exists and is not an effect-migrate journal (columns: ${
      columns.map((column) => `${column.name} ${column.type}`).join(", ")
    }); it is another tool's or the app's table and is left unchanged. ` +
      `Set MIGRATION_TABLE (or --table) to a name of its own, e.g. MIGRATION_TABLE=effect_migrations`
  })
