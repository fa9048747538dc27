import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Layer, Option, Runtime, Scope } from "effect"
import { MigrationConfig } from "../config.js"
import { failingStatement } from "../database/failingStatement.js"
import { type PgErrorInfo, pgErrorInfo } from "../database/pgError.js"
import { DatabaseError, MigrationFailed, MigrationTimeout } from "../errors.js"
import { hintForFailure, timeoutHint } from "../logging/hints.js"
import type { LegacyDb, Migration, MigrationBody } from "../migration.js"
import { quoteIdentifier, quoteLiteral } from "../sql/quote.js"
import { searchPathSql, searchPathValue } from "../sql/searchPath.js"
import { splitStatements } from "../sql/splitStatements.js"
import {
  applyOneByOne,
  type BatchItem,
  type BatchOutcome,
  Journal,
  type JournalEntry,
  type JournalService,
  type RunError,
  type RunOptions
} from "./Journal.js"
import { journalTableName, ourColumns } from "./journalColumns.js"

interface Row {
  readonly id: string
  readonly name: string
  readonly description: string | null
  /** ms since the epoch: a number is far cheaper for the client to read than a timestamptz's text. */
  readonly applied_at: number | string | null
  readonly duration: number | null
  readonly status: string
  readonly checksum: string | null
  readonly error: string | null
  readonly timestamp: string | number | null
}

const databaseError = (operation: string) => (error: unknown) => {
  const info = pgErrorInfo(error)
  return new DatabaseError({
    operation,
    message: `${operation}: ${info.message}${info.hint === undefined ? "" : ` (hint: ${info.hint})`}`,
    code: info.code
  })
}

/** The journal table, as PostgreSQL names it in a constraint violation. */
interface JournalTable {
  readonly schema: string
  readonly table: string
}

/** The journal's primary key refused this migration's row: another runner applied it. */
const alreadyApplied = (info: PgErrorInfo, id: string, journal: JournalTable): boolean =>
  info.code === "23505" && info.table === journal.table && info.schema === journal.schema &&
  info.message.includes(`(id)=(${id})`)

/** A migration's failure, with the failing statement found from PostgreSQL's error position. */
const failure = (
  journal: JournalTable,
  migration: Migration,
  error: unknown,
  durationMs: number,
  timeoutMs: number,
  script?: { text: string; offset: number }
): RunError => {
  const info = pgErrorInfo(error)
  if (info.code === "57014") {
    return timeoutFailure(migration, durationMs, timeoutMs, info.message, script && failingStatement(info.message, script.text))
  }
  let statement: string | undefined
  let where = ""
  if (script !== undefined && info.position !== undefined) {
    const at = indexOfCharacter(script.text, info.position - 1 - script.offset)
    if (info.position - 1 - script.offset >= 0 && at <= script.text.length) {
      const line = script.text.slice(0, at).split("\n").length
      where = ` (line ${line})`
      const statements = splitStatements(script.text)
      statement = statements.filter((candidate) => candidate.line <= line).at(-1)?.text
    }
  }
  if (statement === undefined && script !== undefined) statement = failingStatement(info.message, script.text)
  if (alreadyApplied(info, migration.id, journal)) {
    return new MigrationFailed({
      id: migration.id,
      name: migration.name,
      message: `${migration.id} is already recorded as applied: another runner applied it (was the migration lock lost?); ` +
        "this run's transaction was rolled back",
      code: info.code,
      hint: "run again: the migration is not pending any more",
      durationMs
    })
  }
  return new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: `${info.message}${where}`,
    code: info.code,
    hint: info.hint ?? hintForFailure(info.code),
    statement,
    durationMs
  })
}

const timeoutFailure = (
  migration: Migration,
  durationMs: number,
  timeoutMs: number,
  serverMessage?: string,
  statement?: string
) =>
  new MigrationTimeout({
    id: migration.id,
    name: migration.name,
    timeoutMs,
    // The server's statement_timeout, or our cancellation of the query: both end it with query_canceled.
    code: "57014",
    statement,
    message: serverMessage === undefined
      ? `timed out after ${timeoutMs}ms; the query was cancelled and the transaction rolled back`
      : `${serverMessage}; the transaction was rolled back`,
    hint: timeoutHint,
    durationMs
  })

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

/** Marks the journal rows a batch reads back, apart from any rows the migrations' own statements return. */
const batchIdColumn = "effect_migrate_applied_id"

/** The rows of a batch's last result set, the query that reads its journal rows back, when it ran. */
const batchRows = (result: unknown): ReadonlyArray<Record<string, unknown>> => {
  const last: unknown = Array.isArray(result) ? result[result.length - 1] : result
  if (typeof last !== "object" || last === null || !("rows" in last) || !Array.isArray(last.rows)) return []
  const rows = last.rows as ReadonlyArray<Record<string, unknown>>
  return rows.length > 0 && batchIdColumn in rows[0]! ? rows : []
}

/** `$effect_migrate$` quoting, with another tag when the body happens to contain it. */
const dollarQuoted = (body: string): string => {
  let tag = "$effect_migrate$"
  for (let i = 1; body.includes(tag); i++) tag = `$effect_migrate_${i}$`
  return `${tag}${body}${tag}`
}

/** The index of the batch part whose migration SQL holds a 1-based error position. */
const partAt = (parts: ReadonlyArray<{ readonly sqlOffset: number }>, position: number): number => {
  let index = -1
  for (let i = 0; i < parts.length && parts[i]!.sqlOffset < position; i++) index = i
  return index
}

/** Length in characters (code points), as PostgreSQL counts error positions. */
const codePoints = (text: string): number => {
  if (!/[\ud800-\udbff]/.test(text)) return text.length
  let surrogatePairs = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) surrogatePairs++
  }
  return text.length - surrogatePairs
}

/** The UTF-16 index of the n-th character (code point) of a text. */
const indexOfCharacter = (text: string, n: number): number => {
  let index = 0
  for (let seen = 0; seen < n && index < text.length; seen++) {
    const code = text.charCodeAt(index)
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1
  }
  return index
}

const settingsSql = (options: RunOptions, scope: "LOCAL" | "SESSION", schema: string) =>
  `SET ${scope} statement_timeout = ${Math.max(0, Math.round(options.timeoutMs))}; ` +
  `SET ${scope} lock_timeout = ${Math.max(0, Math.round(options.lockTimeoutMs))}; ${searchPathSql(schema, scope)}`

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const settings = yield* MigrationConfig
  const table = journalTableName(settings.schema, settings.table)
  const journalTable: JournalTable = { schema: settings.schema, table: settings.table }

  /**
   * Records a migration as applied; the duration is measured by the server. A `failed` row is replaced, but an
   * `applied` one makes the primary key fail the transaction: a migration is applied once, even by a runner
   * that lost the migration lock.
   */
  const journalRowSql = (migration: Migration, duration: string, appliedAt: string) =>
    `DELETE FROM ${table} WHERE id = ${quoteLiteral(migration.id)} AND status IS DISTINCT FROM 'applied';
     INSERT INTO ${table} (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
     VALUES (${quoteLiteral(migration.id)}, ${quoteLiteral(migration.name)}, ${
      migration.description === undefined ? "NULL" : quoteLiteral(migration.description)
    }, ${appliedAt}, ${duration}, 'applied', ${migration.checksum === undefined ? "NULL" : quoteLiteral(migration.checksum)}, NULL, ${migration.timestamp})`

  const recordAppliedSql = (migration: Migration, duration: string, appliedAt = "now()") =>
    `${journalRowSql(migration, duration, appliedAt)}
     RETURNING id AS ${batchIdColumn}, duration`

  const serverDuration = "(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer"

  // In one message of several transactions, now() is the message's arrival for all of them: a grouped migration
  // records its own start instead, and measures its duration, applied time and whole-migration timeout from it.
  const groupStart = "current_setting('effect_migrate.started')::timestamptz"
  const groupDuration = `(extract(epoch FROM clock_timestamp() - ${groupStart}) * 1000)::integer`
  /**
   * A grouped migration's first statement after BEGIN: its start time and its settings (SET LOCAL's equivalent),
   * one result set instead of one per setting.
   */
  const searchPath = searchPathValue(settings.schema)
  const searchPathSetting = searchPath === undefined ? "" : ` || set_config('search_path', ${quoteLiteral(searchPath)}, true)`
  // One column: node-postgres parses a row description field by field.
  const groupSettingsSql = (options: RunOptions) =>
    `SELECT set_config('effect_migrate.started', clock_timestamp()::text, true) || ` +
    `set_config('statement_timeout', '${Math.max(0, Math.round(options.timeoutMs))}', true) || ` +
    `set_config('lock_timeout', '${Math.max(0, Math.round(options.lockTimeoutMs))}', true)${searchPathSetting};`
  /**
   * A grouped migration's last statement before COMMIT, one DO block: fails it if it overran its timeout as a whole
   * (statement_timeout bounds statements one by one), then writes its journal row (`journalRowSql`: a
   * `failed` row replaced, an `applied` one failing the transaction on the primary key).
   */
  const groupRecordSql = (migration: Migration, timeoutMs: number) => {
    const timeout = Math.max(0, Math.round(timeoutMs))
    return `DO ${
      dollarQuoted(
        ` BEGIN IF ${groupDuration} > ${timeout} THEN RAISE EXCEPTION USING ERRCODE = '57014', ` +
          `MESSAGE = 'canceling the migration: it ran longer than its timeout of ${timeout}ms'; END IF; ` +
          `${journalRowSql(migration, groupDuration, groupStart)}; END `
      )
    };`
  }
  /** After the group's last COMMIT: its journal rows, read back only when every migration of it committed. */
  const groupRowsSql = (items: ReadonlyArray<BatchItem>) =>
    `SELECT id AS ${batchIdColumn}, duration FROM ${table} WHERE status = 'applied' AND id IN (${
      items.map((item) => quoteLiteral(item.migration.id)).join(", ")
    })`

  const readRows = sql.unsafe<Row>(
    // ::timestamptz: a hand-made table's text or timestamp column is read in the server's time zone, as now() wrote it.
    `SELECT id, name, description, (extract(epoch FROM applied_at::timestamptz) * 1000)::float8 AS applied_at, duration, status, ` +
      `checksum, error, "timestamp" FROM ${table}`
  ).pipe(Effect.map((rows) => rows.map(toEntry)))

  /**
   * Rows read by `ensure`, for the `entries` that follows it: one query both proves the table has our columns and
   * reads it (the start-up path of every replica). Any other journal operation in between drops them.
   */
  let prefetched: ReadonlyArray<JournalEntry> | undefined
  const fresh = <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      prefetched = undefined
      return self
    })

  const createOrUpgrade = Effect.gen(function*() {
    const [state] = yield* sql.unsafe<{ schema_exists: boolean; columns: ReadonlyArray<string> | string | null }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${quoteLiteral(settings.schema)}) AS schema_exists,
              ARRAY(SELECT attname::text FROM pg_attribute
                     WHERE attrelid = to_regclass(${quoteLiteral(table)}) AND attnum > 0 AND NOT attisdropped) AS columns`
    )
    const columns = state === undefined || state.columns === null
      ? []
      : Array.isArray(state.columns)
      ? state.columns
      : String(state.columns).replace(/^\{|\}$/g, "").split(",").filter((c) => c !== "")
    if (columns.length === 0) {
      yield* sql.unsafe(
        `${state?.schema_exists ? "" : `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(settings.schema)};`}
         CREATE TABLE IF NOT EXISTS ${table} (
           id text PRIMARY KEY,
           name text NOT NULL,
           ${ourColumns.map(([column, type]) => `${quoteIdentifier(column)} ${type}`).join(",\n")}
         )`
      )
      return
    }
    const missing = ourColumns.filter(([column]) => !columns.includes(column))
    if (missing.length > 0) {
      yield* sql.unsafe(
        missing.map(([column, type]) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} ${type};`).join("\n")
      )
    }
  })

  /** No such table (42P01), schema (3F000) or column (42703): created or completed, as an older tool may have left it. */
  const tableIncomplete = (error: unknown) => ["42P01", "3F000", "42703"].includes(pgErrorInfo(error).code ?? "")

  const ensure: JournalService["ensure"] = readRows.pipe(
    Effect.flatMap((rows) => {
      prefetched = rows
      // Good only while the caller's scope lasts (the pipeline's, which holds the migration lock): a run that
      // stops after ensure must not hand its rows to a later read.
      return Effect.flatMap(Effect.serviceOption(Scope.Scope), (scope) =>
        Option.isSome(scope)
          ? Scope.addFinalizer(scope.value, Effect.sync(() => {
            if (prefetched === rows) prefetched = undefined
          }))
          : Effect.void)
    }),
    Effect.catchIf(tableIncomplete, () => fresh(createOrUpgrade)),
    Effect.mapError(databaseError(`create journal table ${settings.schema}.${settings.table}`))
  )

  const entries: JournalService["entries"] = Effect.suspend(() => {
    const rows = prefetched
    prefetched = undefined
    return rows !== undefined ? Effect.succeed(rows) : readRows
  }).pipe(
    // No table yet: nothing applied (read-only commands do not create it).
    Effect.catchIf((error) => pgErrorInfo(error).code === "42P01", () => Effect.succeed([])),
    Effect.mapError(databaseError(`read journal table ${settings.schema}.${settings.table}`))
  )

  /** Runs an Effect or legacy body; legacy `false` is a failure. */
  const runBody = (migration: Migration, body: Exclude<MigrationBody, { _tag: "Sql" }>) =>
    body._tag === "Effect"
      ? Effect.asVoid(body.effect)
      : Effect.gen(function*() {
        const runtime = yield* Effect.runtime<SqlClient.SqlClient>()
        // Interrupting the migration (its timeout) aborts the signal, which interrupts the running query:
        // @effect/sql-pg then cancels it on the server instead of leaving it to run.
        // A failed query rejects with PostgreSQL's own error (`code`, `position`, ...), as node-postgres does.
        const db = (signal: AbortSignal): LegacyDb => ({
          query: async (text, params) => {
            const exit = await Runtime.runPromiseExit(runtime)(
              sql.unsafe<Record<string, unknown>>(text, params === undefined ? [] : [...params]).pipe(
                Effect.map((rows) => ({ rows }))
              ),
              { signal }
            )
            if (Exit.isSuccess(exit)) return exit.value
            const error = Cause.squash(exit.cause)
            throw error instanceof SqlError && error.cause instanceof Error ? error.cause : error
          }
        })
        const ok = yield* Effect.tryPromise({ try: async (signal) => body.run(db(signal)), catch: (cause) => cause })
        if (ok === false) {
          return yield* Effect.fail(new Error(`migration ${migration.id} returned false`))
        }
      })

  /** Statements that cannot run in a transaction, one at a time on a dedicated connection. */
  const runWithoutTransaction = (text: string, options: RunOptions) =>
    Effect.scoped(
      Effect.gen(function*() {
        // Uninterruptible: interrupted while connecting, @effect/sql-pg's reserve would leak the client.
        const connection = yield* Effect.uninterruptible(sql.reserve)
        yield* connection.executeRaw(settingsSql(options, "SESSION", settings.schema), [])
        yield* Effect.ensuring(
          Effect.forEach(splitStatements(text), (statement) => connection.executeRaw(statement.text, []), { discard: true }),
          Effect.ignore(connection.executeRaw("RESET statement_timeout; RESET lock_timeout; RESET search_path;", []))
        )
      })
    )

  const run = (
    migration: Migration,
    body: MigrationBody,
    options: RunOptions,
    record: (serverDuration: string) => string
  ): Effect.Effect<number, RunError> => Effect.suspend(() => {
    const startedAt = Date.now()
    const elapsed = () => Date.now() - startedAt
    let attempt: Effect.Effect<number, RunError, SqlClient.SqlClient>
    if (body._tag === "Sql" && migration.transaction) {
      // One round trip: settings, the migration and its journal row run as one implicit transaction.
      const prefix = `${settingsSql(options, "LOCAL", settings.schema)}\n`
      const script = `${prefix}${body.sql}\n;\n${record(serverDuration)}`
      attempt = sql.unsafe(script).pipe(
        Effect.map(() => elapsed()),
        Effect.mapError((error) => failure(journalTable, migration, error, elapsed(), options.timeoutMs, { text: body.sql, offset: prefix.length }))
      )
    } else if (body._tag === "Sql") {
      attempt = runWithoutTransaction(body.sql, options).pipe(
        Effect.mapError((error) => failure(journalTable, migration, error, elapsed(), options.timeoutMs)),
        Effect.flatMap(() =>
          sql.unsafe(record(String(elapsed()))).pipe(Effect.mapError((error) => failure(journalTable, migration, error, elapsed(), options.timeoutMs)))
        ),
        Effect.map(() => elapsed())
      )
    } else if (migration.transaction) {
      attempt = sql.withTransaction(
        Effect.gen(function*() {
          yield* sql.unsafe(settingsSql(options, "LOCAL", settings.schema))
          yield* runBody(migration, body)
          yield* sql.unsafe(record(String(elapsed())))
        })
      ).pipe(
        Effect.map(() => elapsed()),
        Effect.mapError((error) => failure(journalTable, migration, error, elapsed(), options.timeoutMs))
      )
    } else {
      attempt = runBody(migration, body).pipe(
        Effect.zipRight(sql.unsafe(record(String(elapsed())))),
        Effect.map(() => elapsed()),
        Effect.mapError((error) => failure(journalTable, migration, error, elapsed(), options.timeoutMs))
      )
    }
    return attempt.pipe(
      Effect.provideService(SqlClient.SqlClient, sql),
      // A defect in user code (a thrown exception inside an Effect body) is that migration's failure.
      Effect.catchAllDefect((defect) => Effect.fail(failure(journalTable, migration, Cause.isCause(defect) ? Cause.squash(defect) : defect, elapsed(), options.timeoutMs))),
      Effect.timeoutFail({
        duration: options.timeoutMs,
        onTimeout: () =>
          timeoutFailure(migration, elapsed(), options.timeoutMs, undefined, body._tag === "Sql" ? failingStatement("", body.sql) : undefined)
      })
    )
  })

  const apply: JournalService["apply"] = (migration, options) =>
    run(migration, migration.up, options, (duration) => recordAppliedSql(migration, duration)).pipe(
      // No call-site stack capture: it costs more than the span itself, once per migration.
      Effect.withSpan("effect-migrate/Journal.apply", { attributes: { "migration.id": migration.id }, captureStackTrace: false })
    )

  /** Applied ids of the batch, and their durations, as the journal has them after a failed or cut-short batch. */
  const appliedOf = (items: ReadonlyArray<BatchItem>) =>
    sql.unsafe<{ id: string; duration: number | null }>(
      `SELECT id, duration FROM ${table} WHERE status = 'applied' AND id IN (${items.map((item) => quoteLiteral(item.migration.id)).join(", ")})`
    ).pipe(Effect.map((rows) => new Map(rows.map((row) => [row.id, Number(row.duration ?? 0)]))))

  /**
   * Sends the batch on a connection of its own, and closes any transaction a failure left open on it. The connection
   * is given back before the journal is read: PGlite's pool has only one.
   */
  const sendBatch = (text: string, budgetMs: number) =>
    Effect.scoped(Effect.gen(function*() {
      const connection = yield* Effect.uninterruptible(sql.reserve)
      const result = yield* connection.executeRaw(text, []).pipe(
        Effect.timeoutFail({ duration: budgetMs, onTimeout: () => "timeout" as const }),
        Effect.either
      )
      if (result._tag === "Left") yield* Effect.ignore(connection.executeRaw("ROLLBACK", []))
      return result
    }))

  const applyBatch: JournalService["applyBatch"] = (items) =>
    Effect.gen(function*() {
      const startedAt = Date.now()
      const parts: Array<{ readonly item: BatchItem; readonly sqlOffset: number; readonly sql: string }> = []
      let text = ""
      let characters = 0
      for (const item of items) {
        const body = item.migration.up
        const migrationSql = body._tag === "Sql" ? body.sql : ""
        const prefix = `BEGIN;\n${groupSettingsSql(item.options)}\n`
        // PostgreSQL reports error positions in characters: count code points, not UTF-16 units.
        parts.push({ item, sqlOffset: characters + codePoints(prefix), sql: migrationSql })
        const part = `${prefix}${migrationSql}\n;\n${groupRecordSql(item.migration, item.options.timeoutMs)}\nCOMMIT;\n`
        text += part
        characters += codePoints(part)
      }
      text += groupRowsSql(items)
      const result = yield* sendBatch(text, items.reduce((total, item) => total + item.options.timeoutMs, 0))
      if (result._tag === "Right") {
        const durations = new Map(batchRows(result.right).map((row) => [String(row[batchIdColumn]), Number(row.duration ?? 0)]))
        if (durations.size === items.length) {
          return { applied: items.map((item) => ({ migration: item.migration, durationMs: durations.get(item.migration.id) ?? 0 })), failed: undefined }
        }
      }
      // Cut short: the journal says which migrations committed.
      const committed = yield* Effect.either(appliedOf(items))
      const durations = committed._tag === "Right" ? committed.right : new Map<string, number>()
      // A migration of the group that another runner applied meanwhile stopped the group: the journal has its row,
      // but not from this run.
      const sent = result._tag === "Left" && result.left !== "timeout" ? pgErrorInfo(result.left) : undefined
      const duplicate = sent === undefined
        ? -1
        : parts.findIndex((part) => alreadyApplied(sent, part.item.migration.id, journalTable))
      const uncommitted = parts.findIndex((part, index) => index === duplicate || !durations.has(part.item.migration.id))
      const appliedCount = committed._tag === "Left" ? 0 : uncommitted < 0 ? parts.length : uncommitted
      const applied = parts.slice(0, appliedCount).map((part) => ({
        migration: part.item.migration,
        durationMs: durations.get(part.item.migration.id) ?? 0
      }))
      // Everything committed and only the answer was lost (a timeout or a dropped connection at the very end).
      if (appliedCount === parts.length) return { applied, failed: undefined }
      const failing = parts[appliedCount]!
      if (result._tag === "Left" && result.left !== "timeout") {
        // PostgreSQL parses the whole text before running any of it: a syntax error in a later migration stops the
        // batch before the earlier ones ran. Those then run one at a time, for an exact account.
        const position = pgErrorInfo(result.left).position
        const erring = position === undefined ? -1 : partAt(parts, position)
        if (erring >= 0 && failing !== parts[erring]) {
          return yield* applyOneByOne(apply, items.slice(applied.length), applied)
        }
      }
      const elapsed = Math.max(0, Date.now() - startedAt - applied.reduce((total, part) => total + part.durationMs, 0))
      const { migration, options } = failing.item
      if (committed._tag === "Left") {
        // The journal cannot be read: which of the group committed is unknown, and must not be guessed.
        const info = pgErrorInfo(committed.left)
        const cause = result._tag === "Left" && result.left !== "timeout" ? `${pgErrorInfo(result.left).message}; ` : ""
        const error = new MigrationFailed({
          id: migration.id,
          name: migration.name,
          message: `${cause}then the journal could not be read (${info.message}), so which migrations of this group ` +
            "committed is unknown: run `effect-migrate status` once the database is back",
          code: info.code,
          hint: hintForFailure(info.code),
          durationMs: elapsed
        })
        return { applied, failed: { migration, error } }
      }
      const error: RunError = result._tag === "Right"
        ? new MigrationFailed({
          id: migration.id,
          name: migration.name,
          message: "its SQL did not end where it should (an unclosed comment, quote or dollar-quoted body?): " +
            "the journal row was not written",
          hint: hintForFailure(undefined),
          durationMs: elapsed
        })
        : result.left === "timeout"
        ? timeoutFailure(migration, elapsed, options.timeoutMs, undefined, failingStatement("", failing.sql))
        : failure(journalTable, migration, result.left, elapsed, options.timeoutMs, { text: failing.sql, offset: failing.sqlOffset })
      return { applied, failed: { migration, error } }
    }).pipe(
      Effect.catchAll((error) => {
        const first = items[0]!
        return Effect.succeed<BatchOutcome>({
          applied: [],
          failed: { migration: first.migration, error: failure(journalTable, first.migration, error, 0, first.options.timeoutMs) }
        })
      }),
      Effect.withSpan("effect-migrate/Journal.applyBatch", { attributes: { "migrations": items.length }, captureStackTrace: false })
    )

  const revert: JournalService["revert"] = (migration, options) =>
    migration.down === undefined
      ? Effect.fail(
        new MigrationFailed({ id: migration.id, name: migration.name, message: "has no down migration", durationMs: 0 })
      )
      : run(migration, migration.down, options, () => `DELETE FROM ${table} WHERE id = ${quoteLiteral(migration.id)}`).pipe(
        Effect.withSpan("effect-migrate/Journal.revert", { attributes: { "migration.id": migration.id } })
      )

  const recordFailure: JournalService["recordFailure"] = (migration, error) =>
    sql`INSERT INTO ${sql(settings.schema)}.${sql(settings.table)} AS journal
          (id, name, description, applied_at, duration, status, checksum, error, "timestamp")
        VALUES (${migration.id}, ${migration.name}, ${migration.description ?? null}, now(), ${error.durationMs},
          'failed', ${migration.checksum ?? null}, ${errorText(error)}, ${migration.timestamp})
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, applied_at = EXCLUDED.applied_at,
          duration = EXCLUDED.duration, status = 'failed', checksum = EXCLUDED.checksum, error = EXCLUDED.error
        WHERE journal.status IS DISTINCT FROM 'applied'`.pipe(
      Effect.asVoid,
      Effect.mapError(databaseError(`record failure of ${migration.id}`))
    )

  const markApplied: JournalService["markApplied"] = (migration) =>
    sql.unsafe(recordAppliedSql(migration, "0")).pipe(
      Effect.asVoid,
      Effect.mapError(databaseError(`mark ${migration.id} applied`))
    )

  const changed = (operation: string, statement: Effect.Effect<ReadonlyArray<unknown>, unknown>) =>
    statement.pipe(Effect.map((rows) => rows.length > 0), Effect.mapError(databaseError(operation)))

  return Journal.of({
    ensure,
    entries,
    apply: (migration, options) => fresh(apply(migration, options)),
    applyBatch: (batch) => fresh(applyBatch(batch)),
    revert: (migration, options) => fresh(revert(migration, options)),
    recordFailure: (migration, error) => fresh(recordFailure(migration, error)),
    markApplied: (migration) => fresh(markApplied(migration)),
    markFailed: (id) =>
      fresh(changed(
        `mark ${id} failed`,
        sql`UPDATE ${sql(settings.schema)}.${sql(settings.table)} SET status = 'failed' WHERE id = ${id} RETURNING id`
      )),
    remove: (id) =>
      fresh(changed(`reset ${id}`, sql`DELETE FROM ${sql(settings.schema)}.${sql(settings.table)} WHERE id = ${id} RETURNING id`)),
    updateChecksum: (id, checksum) =>
      fresh(changed(
        `repair ${id}`,
        sql`UPDATE ${sql(settings.schema)}.${sql(settings.table)} SET checksum = ${checksum} WHERE id = ${id} RETURNING id`
      ))
  })
})

const errorText = (error: RunError): string =>
  [
    error.code !== undefined ? `${error.code}: ` : "",
    error.message,
    error.statement !== undefined ? `\nstatement: ${error.statement}` : ""
  ].join("")

/** The journal on the SqlClient of the environment. */
export const layer: Layer.Layer<Journal, never, SqlClient.SqlClient | MigrationConfig> = Layer.effect(Journal, make)
