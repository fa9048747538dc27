import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Either, Layer } from "effect"
import { MigrationConfig } from "../config.js"
import { transactionLockSql } from "../database/MigrationLock.js"
import { type PgErrorInfo, pgErrorInfo } from "../database/pgError.js"
import { MigrationFailed } from "../errors.js"
import { groupReadBackSql, groupRowSql, readBackColumn, startedSetting } from "../journal/groupRows.js"
import { Journal, type RunError } from "../journal/Journal.js"
import { hintForFailure } from "../logging/hints.js"
import type { Migration } from "../migration.js"
import { searchPathSql } from "../sql/searchPath.js"
import { migrationLockKey } from "./claim.js"
import { appliedByAnotherRunner, migrationFailure } from "./failure.js"
import type { RunOptions } from "./MigrationExecutor.js"

/**
 * Consecutive transactional SQL migrations sent in one message: each still in its own transaction with its journal
 * row, one round trip for the lot. The server stops at the first error; the journal then says which committed.
 */

export interface GroupItem {
  readonly migration: Migration
  readonly options: RunOptions
}

/**
 * The migrations that committed (a prefix of the group), and the one that failed. Neither for the rest when they did
 * not run or were cut short by the group's time limit (not their own): they are left to run alone.
 */
export interface GroupOutcome {
  readonly applied: ReadonlyArray<{ readonly migration: Migration; readonly durationMs: number }>
  readonly failed: { readonly migration: Migration; readonly error: RunError } | undefined
  /** Found applied by another runner once the migration's transaction held the per-migration lock: not run. */
  readonly appliedElsewhere?: ReadonlyArray<Migration>
}

export interface MigrationGroupsService {
  readonly apply: (group: ReadonlyArray<GroupItem>) => Effect.Effect<GroupOutcome>
}

export class MigrationGroups extends Context.Tag("effect-migrate/MigrationGroups")<MigrationGroups, MigrationGroupsService>() {}

/** What can go in a group: SQL run in a transaction. */
export const groupable = (migration: Migration): boolean => migration.up._tag === "Sql" && migration.transaction

const maxGroup = 100

/**
 * A group grows (1, 2, 4, ... up to maxGroup) while groups come back well within this time, and after a slower one
 * holds as many as fit in it at the pace that group went: a slow migration (alone longer than this) brings it back to
 * 1, so it never holds back the log lines of many others.
 */
const fastGroupMs = 200

/** The next group's size, after `ran` migrations (a group of at most `size`) took `elapsedMs`. */
export const nextGroupSize = (size: number, ran: number, elapsedMs: number): number =>
  Math.max(1, Math.min(maxGroup, size * 2, Math.floor((ran * fastGroupMs) / Math.max(1, elapsedMs))))

/** A migration's part of the message, and where its SQL starts in it (characters, as PostgreSQL counts positions). */
interface Part {
  readonly item: GroupItem
  readonly sql: string
  readonly sqlOffset: number
}

/** Length in characters (code points), as PostgreSQL counts error positions. */
const codePoints = (text: string): number => {
  let length = 0
  for (const _ of text) length++
  return length
}

/** The index of the part whose SQL holds a 1-based error position. */
const partAt = (parts: ReadonlyArray<Part>, position: number): number => {
  let index = -1
  while (index + 1 < parts.length && parts[index + 1]!.sqlOffset < position) index++
  return index
}

/** The rows of the message's last result, when it is the group's read-back. */
const readBack = (result: unknown): ReadonlyArray<Record<string, unknown>> => {
  const last: unknown = Array.isArray(result) ? result[result.length - 1] : result
  if (typeof last !== "object" || last === null || !("rows" in last) || !Array.isArray(last.rows)) return []
  const rows = last.rows as ReadonlyArray<Record<string, unknown>>
  return rows.length > 0 && readBackColumn in rows[0]! ? rows : []
}

const milliseconds = (ms: number) => Math.max(0, Math.round(ms))

/** The journal's primary key refused this migration's row: another runner applied it. */
const refusedByJournal = (schema: string, table: string, info: PgErrorInfo, migration: Migration) =>
  info.code === "23505" && info.table === table && info.schema === schema && info.message.includes(`(id)=(${migration.id})`)

/**
 * The group's message: each migration's part, BEGIN to COMMIT, then the read-back of the rows. Each part starts from
 * the session's defaults (RESET ALL) and takes the per-migration lock, as a migration run alone does.
 */
const layout = (schema: string, table: string, group: ReadonlyArray<GroupItem>) => {
  const lock = transactionLockSql(migrationLockKey(schema, table), Math.max(...group.map((item) => item.options.timeoutMs)))
  const parts: Array<Part> = []
  let text = ""
  let characters = 0
  for (const item of group) {
    const body = item.migration.up._tag === "Sql" ? item.migration.up.sql : ""
    const prefix = `BEGIN;\nRESET ALL; ${lock};\nSET LOCAL statement_timeout = ${milliseconds(item.options.timeoutMs)}; ` +
      `SET LOCAL idle_in_transaction_session_timeout = ${milliseconds(item.options.timeoutMs)}; ` +
      `SET LOCAL lock_timeout = ${milliseconds(item.options.lockTimeoutMs)}; ${searchPathSql(schema)}\n` +
      `SELECT set_config('${startedSetting}', clock_timestamp()::text, true);\n`
    const part = `${prefix}${body}\n;\n${groupRowSql(schema, table, item.migration)};\nCOMMIT;\nRESET ALL;\n`
    parts.push({ item, sql: body, sqlOffset: characters + codePoints(prefix) })
    text += part
    characters += codePoints(part)
  }
  return { parts, text: text + groupReadBackSql(schema, table, group.map((item) => item.migration)) }
}

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const journal = yield* Journal
  const { schema, table } = yield* MigrationConfig

  /**
   * The message on a connection of its own, within the smallest timeout of the group (so that whatever commits took
   * less than its own): the durations read back when all of it committed, else what stopped it. A transaction left
   * open is rolled back before the connection goes back to the pool.
   */
  const send = (text: string, group: ReadonlyArray<GroupItem>) =>
    Effect.scoped(Effect.gen(function*() {
      const connection = yield* Effect.uninterruptible(sql.reserve)
      const result = yield* connection.executeRaw(text, []).pipe(
        Effect.timeoutFail({ duration: Math.min(...group.map((item) => item.options.timeoutMs)), onTimeout: () => "timeout" as const }),
        Effect.either
      )
      const durations = Either.isRight(result)
        ? new Map(readBack(result.right).map((row) => [String(row[readBackColumn]), Number(row.duration ?? 0)]))
        : new Map<string, number>()
      if (group.every((item) => durations.has(item.migration.id))) return Either.right(durations)
      yield* Effect.ignore(connection.executeRaw("ROLLBACK", []))
      return Either.left<unknown>(Either.isLeft(result) ? result.left : undefined)
    })).pipe(Effect.catchAll((error) => Effect.succeed(Either.left<unknown>(error))))

  /** After a message that did not get to its end: what committed, and which migration failed with what. */
  const afterFailure = (parts: ReadonlyArray<Part>, stopped: unknown, elapsedMs: number) =>
    Effect.gen(function*() {
      const info = stopped === undefined || stopped === "timeout" ? undefined : pgErrorInfo(stopped)
      const rows = yield* Effect.either(journal.entries)
      if (Either.isLeft(rows)) return { applied: [], failed: unknownOutcome(parts[0]!.item.migration, info, rows.left.message, elapsedMs) }
      const entries = new Map(rows.right.map((entry) => [entry.id, entry]))
      const applied: Array<GroupOutcome["applied"][number]> = []
      for (const { item: { migration } } of parts) {
        if (entries.get(migration.id)?.status !== "applied" || (info !== undefined && refusedByJournal(schema, table, info, migration))) break
        applied.push({ migration, durationMs: entries.get(migration.id)?.durationMs ?? 0 })
      }
      const next = parts[applied.length]
      // All committed and only the answer was lost; or the group's time limit cut the next one short: it runs alone.
      if (next === undefined || stopped === "timeout") return { applied, failed: undefined }
      const { migration, options } = next.item
      const durationMs = Math.max(0, elapsedMs - applied.reduce((total, done) => total + done.durationMs, 0))
      if (info === undefined) return { applied, failed: { migration, error: unterminated(migration, durationMs) } }
      if (refusedByJournal(schema, table, info, migration)) return { applied, failed: { migration, error: appliedByAnotherRunner(migration, durationMs) } }
      // PostgreSQL parses a whole message before running any of it: a syntax error in a later part ran nothing.
      const erring = info.position === undefined ? -1 : partAt(parts, info.position)
      if (erring >= 0 && erring !== applied.length) return { applied, failed: undefined }
      const error = migrationFailure(migration, stopped, durationMs, options.timeoutMs, { text: next.sql, offset: next.sqlOffset })
      return { applied, failed: { migration, error } }
    })

  const apply: MigrationGroupsService["apply"] = (group) =>
    Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const { parts, text } = layout(schema, table, group)
      const sent = yield* send(text, group)
      if (Either.isRight(sent)) {
        return { applied: group.map(({ migration }) => ({ migration, durationMs: sent.right.get(migration.id)! })), failed: undefined }
      }
      return yield* afterFailure(parts, sent.left, (yield* Clock.currentTimeMillis) - startedAt)
    }).pipe(Effect.withSpan("effect-migrate/MigrationGroups.apply", { attributes: { migrations: group.length } }))

  return MigrationGroups.of({ apply })
})

/** The message ran to its end, yet a migration's row is missing: its SQL swallowed what followed it. */
const unterminated = (migration: Migration, durationMs: number) =>
  new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: "its SQL did not end where it should (an unclosed comment, quote or dollar-quoted body?): " +
      "the journal row was not written",
    hint: hintForFailure(undefined),
    durationMs
  })

/** The journal cannot be read after a failed message: which migrations of the group committed is unknown. */
const unknownOutcome = (migration: Migration, cause: PgErrorInfo | undefined, journalError: string, durationMs: number) => ({
  migration,
  error: new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: `${cause === undefined ? "" : `${cause.message}; `}then the journal could not be read (${journalError}), so ` +
      "which migrations of this group committed is unknown: run `effect-migrate status` once the database is back",
    code: cause?.code,
    hint: hintForFailure(cause?.code),
    durationMs
  })
})

export const layer: Layer.Layer<MigrationGroups, never, SqlClient.SqlClient | Journal | MigrationConfig> = Layer.effect(
  MigrationGroups,
  make
)
