import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { MigrationConfig } from "../config.js"
import { pgErrorInfo } from "../database/pgError.js"
import { type ConfigError, DatabaseError } from "../errors.js"
import type { Migration } from "../migration.js"
import { alreadyApplied, errorText, Journal, type JournalEntry, type JournalService } from "./Journal.js"
import { type ExistingColumn, foreignJournal, isOurJournal, ourColumns } from "./journalSchema.js"

interface Row {
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

const toEntry = (row: Row): JournalEntry => ({
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

const databaseError = (operation: string) => (error: unknown) => {
  const info = pgErrorInfo(error)
  return new DatabaseError({
    operation,
    message: `${operation}: ${info.message}${info.hint === undefined ? "" : ` (hint: ${info.hint})`}`,
    code: info.code
  })
}

/** 5 parameters a row: well under PostgreSQL's 65535 parameters a statement. */
const rowsPerInsert = 5000

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size))

/** No such table (42P01). */
const noTable = (error: unknown) => pgErrorInfo(error).code === "42P01"

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { schema, table } = yield* MigrationConfig
  const journal = sql`${sql(schema)}.${sql(table)}`

  const columnsOfTable = sql<ExistingColumn>`
    SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${schema} AND c.relname = ${table} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`

  /** The table's columns; a table that is not ours (another tool's journal, an app's table) fails, before any change. */
  const ownColumns: Effect.Effect<ReadonlyArray<string>, ConfigError | DatabaseError> = columnsOfTable.pipe(
    Effect.mapError(databaseError(`inspect journal table ${schema}.${table}`)),
    Effect.filterOrFail(
      (columns) => columns.length === 0 || isOurJournal(columns),
      (columns) => foreignJournal(schema, table, columns)
    ),
    Effect.map((columns) => columns.map((column) => column.name))
  )

  const create = Effect.gen(function*() {
    const [schemaRow] = yield* sql`SELECT 1 AS found FROM pg_namespace WHERE nspname = ${schema}`
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when the schema exists.
    if (schemaRow === undefined) yield* sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`
    const columns = ourColumns.map(([column, type]) => sql`${sql(column)} ${sql.literal(type)}`)
    yield* sql`CREATE TABLE IF NOT EXISTS ${journal} (id text PRIMARY KEY, name text NOT NULL, ${sql.csv(columns)})`
  })

  const ensure: JournalService["ensure"] = Effect.gen(function*() {
    const existing = yield* ownColumns
    yield* Effect.gen(function*() {
      if (existing.length === 0) return yield* create
      for (const [column, type] of ourColumns) {
        if (!existing.includes(column)) yield* sql`ALTER TABLE ${journal} ADD COLUMN IF NOT EXISTS ${sql(column)} ${sql.literal(type)}`
      }
    }).pipe(Effect.mapError(databaseError(`create journal table ${schema}.${table}`)))
  })

  const entries: JournalService["entries"] = Effect.zipRight(ownColumns, sql<Row>`
    SELECT id, name, description, (extract(epoch FROM applied_at::timestamptz) * 1000)::float8 AS applied_at,
           duration, status, checksum, error, "timestamp"
      FROM ${journal}`.pipe(
    // ::timestamptz: a hand-made table's text or timestamp column is read in the server's time zone, as now() wrote it.
    Effect.map((rows) => rows.map(toEntry)),
    // No table yet: nothing applied (read-only commands do not create it).
    Effect.catchIf(noTable, () => Effect.succeed([])),
    Effect.mapError(databaseError(`read journal table ${schema}.${table}`))
  ))

  const entry = (id: string) =>
    sql<Row>`
      SELECT id, name, description, (extract(epoch FROM applied_at::timestamptz) * 1000)::float8 AS applied_at,
             duration, status, checksum, error, "timestamp"
        FROM ${journal} WHERE id = ${id}`.pipe(
      Effect.map((rows) => (rows[0] === undefined ? undefined : toEntry(rows[0]))),
      Effect.mapError(databaseError(`read the journal row of ${id}`))
    )

  const recordStarted = (migration: Migration) =>
    sql<{ id: string }>`
      INSERT INTO ${journal} AS journal (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
      VALUES (${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), NULL, 'running',
              ${migration.checksum ?? null}, NULL, ${migration.timestamp})
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
        applied_at = EXCLUDED.applied_at, duration = NULL, status = 'running',
        checksum = EXCLUDED.checksum, error = NULL, "timestamp" = EXCLUDED."timestamp"
      WHERE journal.status IS DISTINCT FROM 'applied' AND journal.status IS DISTINCT FROM 'running'
      RETURNING id`.pipe(
      Effect.mapError(databaseError(`record the start of ${migration.id}`)),
      Effect.flatMap((rows) => (rows.length > 0 ? Effect.succeed(undefined) : entry(migration.id)))
    )

  /** Inserts the row, or replaces one that is not `applied`; true when written. */
  const upsert = (migration: Migration, status: "applied" | "failed", durationMs: number, error: string | null) =>
    sql<{ id: string }>`
      INSERT INTO ${journal} AS journal (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
      VALUES (${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), ${Math.round(durationMs)},
              ${status}, ${migration.checksum ?? null}, ${error}, ${migration.timestamp})
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
        applied_at = EXCLUDED.applied_at, duration = EXCLUDED.duration, status = EXCLUDED.status,
        checksum = EXCLUDED.checksum, error = EXCLUDED.error, "timestamp" = EXCLUDED."timestamp"
      WHERE journal.status IS DISTINCT FROM 'applied'
      RETURNING id`.pipe(Effect.map((rows) => rows.length > 0))

  const recordApplied = (operation: string) => (migration: Migration, durationMs: number) =>
    upsert(migration, "applied", durationMs, null).pipe(
      Effect.mapError(databaseError(`${operation} ${migration.id}`)),
      Effect.filterOrFail((written) => written, () => alreadyApplied(migration.id)),
      Effect.asVoid
    )

  const insertApplied = (migrations: ReadonlyArray<Migration>) =>
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

  const markAppliedAll: JournalService["markAppliedAll"] = (migrations) =>
    Effect.forEach(chunksOf(migrations, rowsPerInsert), insertApplied).pipe(
      Effect.mapError(databaseError(`mark ${migrations.length} migrations applied`)),
      Effect.flatMap((written) => {
        const ids = new Set(written.flat().map((row) => row.id))
        const kept = migrations.find((migration) => !ids.has(migration.id))
        // Failing rolls the transaction back: none of the rows is written.
        return kept === undefined ? Effect.void : Effect.fail(alreadyApplied(kept.id))
      }),
      sql.withTransaction,
      Effect.catchTag("SqlError", databaseError(`mark ${migrations.length} migrations applied`)),
      Effect.when(() => migrations.length > 0),
      Effect.asVoid
    )

  const changed = (operation: string, statement: Effect.Effect<ReadonlyArray<unknown>, unknown>) =>
    statement.pipe(Effect.map((rows) => rows.length > 0), Effect.mapError(databaseError(operation)))

  return Journal.of({
    ensure,
    entries,
    recordApplied: recordApplied("record as applied"),
    recordFailure: (migration, failure) =>
      upsert(migration, "failed", failure.durationMs, errorText(failure)).pipe(
        Effect.mapError(databaseError(`record failure of ${migration.id}`))
      ),
    entry,
    recordStarted,
    markApplied: (migration) => recordApplied("mark applied")(migration, 0),
    markAppliedAll,
    markFailed: (id) => changed(`mark ${id} failed`, sql`UPDATE ${journal} SET status = 'failed' WHERE id = ${id} RETURNING id`),
    remove: (id) => changed(`reset ${id}`, sql`DELETE FROM ${journal} WHERE id = ${id} RETURNING id`),
    updateChecksum: (id, checksum) =>
      changed(`repair ${id}`, sql`UPDATE ${journal} SET checksum = ${checksum} WHERE id = ${id} RETURNING id`)
  })
})

/** The journal on the SqlClient of the environment; its statements join the transaction of the fiber that runs them. */
export const layer: Layer.Layer<Journal, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(Journal, make)
