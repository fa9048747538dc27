import { SqlClient } from "@effect/sql"
import { Effect, Layer, Ref } from "effect"
import { MigrationConfig } from "../config.js"
import { pgErrorInfo } from "../database/pgError.js"
import { type ConfigError, DatabaseError } from "../errors.js"
import type { Migration } from "../migration.js"
import { alreadyApplied, errorText, Journal, type JournalService } from "./Journal.js"
import { foreignJournal, isOurJournal, ourColumns } from "./journalSchema.js"
import * as Statements from "./journalStatements.js"
import type { JournalTable } from "./journalStatements.js"

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

/** The table's columns; a table that is not ours (another tool's journal, an app's table) fails, before any change. */
const ownColumns = (target: JournalTable): Effect.Effect<ReadonlyArray<string>, ConfigError | DatabaseError> =>
  Statements.columnsOfTable(target).pipe(
    Effect.mapError(databaseError(`inspect journal table ${target.schema}.${target.table}`)),
    Effect.filterOrFail(
      (columns) => columns.length === 0 || isOurJournal(columns),
      (columns) => foreignJournal(target.schema, target.table, columns)
    ),
    Effect.map((columns) => columns.map((column) => column.name))
  )

const create = (target: JournalTable) =>
  Effect.gen(function*() {
    const [schemaRow] = yield* Statements.schemaExists(target)
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when the schema exists.
    if (schemaRow === undefined) yield* Statements.createSchema(target)
    yield* Statements.createTable(target)
  })

const ensure = (
  target: JournalTable,
  columns: Effect.Effect<ReadonlyArray<string>, ConfigError | DatabaseError>
): JournalService["ensure"] =>
  Effect.gen(function*() {
    const existing = yield* columns
    yield* Effect.gen(function*() {
      if (existing.length === 0) return yield* create(target)
      for (const [column, type] of ourColumns) {
        if (!existing.includes(column)) yield* Statements.addColumn(target, column, type)
      }
    }).pipe(Effect.mapError(databaseError(`create journal table ${target.schema}.${target.table}`)))
  })

const entries = (target: JournalTable, checkOurs: Effect.Effect<unknown, ConfigError | DatabaseError>): JournalService["entries"] =>
  Effect.zipRight(
    checkOurs,
    Statements.selectRows(target).pipe(
      Effect.map((rows) => rows.map(Statements.toEntry)),
      // No table yet: nothing applied (read-only commands do not create it).
      Effect.catchIf(noTable, () => Effect.succeed([])),
      Effect.mapError(databaseError(`read journal table ${target.schema}.${target.table}`))
    )
  )

const entry = (target: JournalTable): JournalService["entry"] => (id) =>
  Statements.selectRow(target, id).pipe(
    Effect.map((rows) => (rows[0] === undefined ? undefined : Statements.toEntry(rows[0]))),
    Effect.mapError(databaseError(`read the journal row of ${id}`))
  )

const recordStarted = (target: JournalTable): JournalService["recordStarted"] => (migration) =>
  Statements.insertStarted(target, migration).pipe(
    Effect.mapError(databaseError(`record the start of ${migration.id}`)),
    Effect.flatMap((rows) => (rows.length > 0 ? Effect.succeed(undefined) : entry(target)(migration.id)))
  )

/** Inserts the row, or replaces one that is not `applied`; true when written. */
const upsert = (
  target: JournalTable,
  migration: Migration,
  status: "applied" | "failed",
  durationMs: number,
  error: string | null
) => Statements.upsertRow(target, migration, status, durationMs, error).pipe(Effect.map((rows) => rows.length > 0))

const recordApplied = (target: JournalTable, operation: string) => (migration: Migration, durationMs: number) =>
  upsert(target, migration, "applied", durationMs, null).pipe(
    Effect.mapError(databaseError(`${operation} ${migration.id}`)),
    Effect.filterOrFail((written) => written, () => alreadyApplied(migration.id)),
    Effect.asVoid
  )

const markAppliedAll = (target: JournalTable): JournalService["markAppliedAll"] => (migrations) =>
  Effect.forEach(chunksOf(migrations, rowsPerInsert), (chunk) => Statements.insertApplied(target, chunk)).pipe(
    Effect.mapError(databaseError(`mark ${migrations.length} migrations applied`)),
    Effect.flatMap((written) => {
      const ids = new Set(written.flat().map((row) => row.id))
      const kept = migrations.find((migration) => !ids.has(migration.id))
      // Failing rolls the transaction back: none of the rows is written.
      return kept === undefined ? Effect.void : Effect.fail(alreadyApplied(kept.id))
    }),
    target.sql.withTransaction,
    Effect.catchTag("SqlError", databaseError(`mark ${migrations.length} migrations applied`)),
    Effect.when(() => migrations.length > 0),
    Effect.asVoid
  )

const changed = (operation: string, statement: Effect.Effect<ReadonlyArray<unknown>, unknown>) =>
  statement.pipe(Effect.map((rows) => rows.length > 0), Effect.mapError(databaseError(operation)))

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { schema, table } = yield* MigrationConfig
  const target = Statements.journalTable(sql, schema, table)
  // Whether the table is ours cannot change during a run: checked by `ensure` or the first read, not at every read.
  const known = yield* Ref.make(false)
  const columns = Effect.tap(ownColumns(target), () => Ref.set(known, true))
  return Journal.of({
    ensure: ensure(target, columns),
    entries: entries(target, Effect.unlessEffect(columns, Ref.get(known))),
    recordApplied: recordApplied(target, "record as applied"),
    recordFailure: (migration, failure) =>
      upsert(target, migration, "failed", failure.durationMs, errorText(failure)).pipe(
        Effect.mapError(databaseError(`record failure of ${migration.id}`))
      ),
    entry: entry(target),
    recordStarted: recordStarted(target),
    markApplied: (migration) => recordApplied(target, "mark applied")(migration, 0),
    markAppliedAll: markAppliedAll(target),
    markFailed: (id) => changed(`mark ${id} failed`, Statements.setFailed(target, id)),
    remove: (id) => changed(`reset ${id}`, Statements.deleteRow(target, id)),
    updateChecksum: (id, checksum) => changed(`repair ${id}`, Statements.setChecksum(target, id, checksum))
  })
})

/** The journal on the SqlClient of the environment; its statements join the transaction of the fiber that runs them. */
export const layer: Layer.Layer<Journal, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(Journal, make)
