import type { SqlClient, Statement } from "@effect/sql"
import type { Migration } from "../migration.js"
import type { JournalEntry } from "./Journal.js"
import { type ExistingColumn, ourColumns } from "./journalSchema.js"

/** The SQL the PostgreSQL journal runs on its table; JournalLive maps their results and errors. */

/** The journal's table, named by DATABASE_SCHEMA and the table setting, on the SqlClient that runs its statements. */
export interface JournalTable {
  readonly sql: SqlClient.SqlClient
  readonly schema: string
  readonly table: string
  /** `schema.table`, quoted. */
  readonly journal: Statement.Fragment
}

export const journalTable = (sql: SqlClient.SqlClient, schema: string, table: string): JournalTable => ({
  sql,
  schema,
  table,
  journal: sql`${sql(schema)}.${sql(table)}`
})

export interface Row {
  readonly id: string
  readonly name: string
  readonly description: string | null
  /** ms since the epoch. */
  readonly applied_at: number | string | null
  readonly duration: number | null
  readonly status: string
  readonly checksum: string | null
  readonly error: string | null
  readonly timestamp: string | number | null
}

export const toEntry = (row: Row): JournalEntry => ({
  id: row.id,
  name: row.name,
  description: row.description,
  appliedAt: row.applied_at === null ? null : new Date(Number(row.applied_at)),
  durationMs: row.duration === null ? null : Number(row.duration),
  status: row.status,
  checksum: row.checksum,
  error: row.error,
  timestamp: row.timestamp === null ? null : Number(row.timestamp)
})

export const columnsOfTable = ({ schema, sql, table }: JournalTable) =>
  sql<ExistingColumn>`
    SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${schema} AND c.relname = ${table} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`

export const schemaExists = ({ schema, sql }: JournalTable) => sql`SELECT 1 AS found FROM pg_namespace WHERE nspname = ${schema}`

export const createSchema = ({ schema, sql }: JournalTable) => sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`

export const createTable = ({ journal, sql }: JournalTable) => {
  const columns = ourColumns.map(([column, type]) => sql`${sql(column)} ${sql.literal(type)}`)
  return sql`CREATE TABLE IF NOT EXISTS ${journal} (id text PRIMARY KEY, name text NOT NULL, ${sql.csv(columns)})`
}

export const addColumn = ({ journal, sql }: JournalTable, column: string, type: string) =>
  sql`ALTER TABLE ${journal} ADD COLUMN IF NOT EXISTS ${sql(column)} ${sql.literal(type)}`

// ::timestamptz: a hand-made table's text or timestamp column is read in the server's time zone, as now() wrote it.
export const selectRows = ({ journal, sql }: JournalTable) =>
  sql<Row>`
    SELECT id, name, description, (extract(epoch FROM applied_at::timestamptz) * 1000)::float8 AS applied_at,
           duration, status, checksum, error, "timestamp"
      FROM ${journal}`

export const selectRow = ({ journal, sql }: JournalTable, id: string) =>
  sql<Row>`
    SELECT id, name, description, (extract(epoch FROM applied_at::timestamptz) * 1000)::float8 AS applied_at,
           duration, status, checksum, error, "timestamp"
      FROM ${journal} WHERE id = ${id}`

/** Writes the `running` row unless the row is `applied` or `running`; returns the id when written. */
export const insertStarted = ({ journal, sql }: JournalTable, migration: Migration) =>
  sql<{ id: string }>`
    INSERT INTO ${journal} AS journal (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
    VALUES (${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), NULL, 'running',
            ${migration.checksum ?? null}, NULL, ${migration.timestamp})
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
      applied_at = EXCLUDED.applied_at, duration = NULL, status = 'running',
      checksum = EXCLUDED.checksum, error = NULL, "timestamp" = EXCLUDED."timestamp"
    WHERE journal.status IS DISTINCT FROM 'applied' AND journal.status IS DISTINCT FROM 'running'
    RETURNING id`

/** Inserts the row, or replaces one that is not `applied`; returns the id when written. */
export const upsertRow = (
  { journal, sql }: JournalTable,
  migration: Migration,
  status: "applied" | "failed",
  durationMs: number,
  error: string | null
) =>
  sql<{ id: string }>`
    INSERT INTO ${journal} AS journal (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
    VALUES (${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), ${Math.round(durationMs)},
            ${status}, ${migration.checksum ?? null}, ${error}, ${migration.timestamp})
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
      applied_at = EXCLUDED.applied_at, duration = EXCLUDED.duration, status = EXCLUDED.status,
      checksum = EXCLUDED.checksum, error = EXCLUDED.error, "timestamp" = EXCLUDED."timestamp"
    WHERE journal.status IS DISTINCT FROM 'applied'
    RETURNING id`

/** `applied` rows for many migrations in one statement, none replacing an `applied` row; returns the ids written. */
export const insertApplied = ({ journal, sql }: JournalTable, migrations: ReadonlyArray<Migration>) =>
  sql<{ id: string }>`
    INSERT INTO ${journal} AS journal (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
    VALUES ${
    sql.csv(migrations.map((migration) =>
      sql`(${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), 0, 'applied',
           ${migration.checksum ?? null}, NULL, ${migration.timestamp})`
    ))
  }
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
      applied_at = EXCLUDED.applied_at, duration = EXCLUDED.duration, status = EXCLUDED.status,
      checksum = EXCLUDED.checksum, error = EXCLUDED.error, "timestamp" = EXCLUDED."timestamp"
    WHERE journal.status IS DISTINCT FROM 'applied'
    RETURNING id`

export const setFailed = ({ journal, sql }: JournalTable, id: string) =>
  sql`UPDATE ${journal} SET status = 'failed' WHERE id = ${id} RETURNING id`

export const deleteRow = ({ journal, sql }: JournalTable, id: string) => sql`DELETE FROM ${journal} WHERE id = ${id} RETURNING id`

export const setChecksum = ({ journal, sql }: JournalTable, id: string, checksum: string | null) =>
  sql`UPDATE ${journal} SET checksum = ${checksum} WHERE id = ${id} RETURNING id`
