import { SqlClient } from "@effect/sql"
import { Cause, Effect, Layer, Option } from "effect"
import { MigrationConfig } from "../config.js"
import { failingStatement } from "../database/failingStatement.js"
import { effectiveMode, transactionLockSql } from "../database/MigrationLock.js"
import { pgErrorInfo } from "../database/pgError.js"
import { ConnectionFacts } from "../database/pooler.js"
import { Journal, type JournalEntry, type JournalService } from "../journal/Journal.js"
import type { AlreadyApplied, RunError } from "../journal/Journal.js"
import type { Migration, MigrationBody } from "../migration.js"
import { searchPathValue } from "../sql/searchPath.js"
import { type Attempt, attempt, type JournalWrite } from "./attempt.js"
import { checkRow, interrupted, migrationLockKey, waitedTooLong } from "./claim.js"
import { migrationFailure } from "./failure.js"
import { applySettings } from "./migrationSettings.js"
import { fromRunBody, MigrationExecutor, type RunBody, type RunOptions } from "./MigrationExecutor.js"
import { runBody, runOutsideTransaction } from "./runBody.js"

/** What the executor's steps need from its environment, read once when the layer is built. */
interface Live {
  readonly sql: SqlClient.SqlClient
  readonly journal: JournalService
  readonly lockWaitMs: number
  readonly mode: "session" | "transaction"
  /** The per-migration lock's statement (see claim.ts). */
  readonly lockSql: string
  readonly searchPath: string | undefined
}

/** The per-migration lock, then the journal row read again (see claim.ts); in the caller's transaction. */
const takeLock = (live: Live, migration: Migration, options: RunOptions) =>
  live.sql.unsafe(live.lockSql).pipe(
    Effect.mapError((error) =>
      pgErrorInfo(error).code === "55P03"
        ? waitedTooLong(migration, live.lockWaitMs, "55P03")
        : migrationFailure(migration, error, 0, options.timeoutMs)
    )
  )
const guard = (live: Live, migration: Migration, options: RunOptions, start: boolean) =>
  takeLock(live, migration, options).pipe(
    Effect.zipRight(checkRow(live.journal, migration, start, (error) => migrationFailure(migration, error, 0, options.timeoutMs)))
  )

/**
 * A `transaction: false` migration's `running` row, written before its first statement. One an earlier run left is
 * an interrupted migration; behind a pooler (no session lock) another runner may be on it: wait for its outcome.
 */
const start = (live: Live, migration: Migration, options: RunOptions): Effect.Effect<void, RunError | AlreadyApplied> =>
  Effect.gen(function*() {
    const deadline = Date.now() + live.lockWaitMs
    while (true) {
      const kept: JournalEntry | undefined = yield* live.sql.withTransaction(guard(live, migration, options, true)).pipe(
        Effect.catchTag("SqlError", (error) => Effect.fail(migrationFailure(migration, error, 0, options.timeoutMs)))
      )
      if (kept === undefined) return
      if (live.mode !== "transaction" || Date.now() >= deadline) {
        return yield* interrupted(migration, kept, live.mode === "transaction")
      }
      yield* Effect.sleep(500)
    }
  })

type Timed = (use: (current: Attempt) => Effect.Effect<number, RunError>) => Effect.Effect<number, RunError>

/** A migration in one transaction with its journal write, `before` (the lock, the row read) first. */
const runInTransaction = (
  live: Live,
  migration: Migration,
  body: MigrationBody,
  options: RunOptions,
  write: JournalWrite,
  before: Effect.Effect<unknown, RunError | AlreadyApplied>,
  timed: Timed
) => {
  const { searchPath, sql } = live
  // The lock's wait is not the migration's time: the attempt (and its timeout) starts once the lock is held.
  return sql.withTransaction(
    Effect.zipRight(
      before,
      timed((current) =>
        applySettings(sql, searchPath, options, true).pipe(
          Effect.catchAll((error) => current.fail(error)),
          Effect.zipRight(runBody(sql, migration, body, current)),
          // What the migration SET for the session is undone with it, before the connection serves anything else.
          Effect.zipRight(Effect.catchAll(sql`RESET ALL`, (error) => current.fail(error))),
          Effect.zipRight(current.record(write))
        )
      )
    )
  ).pipe(
    Effect.catchTag("SqlError", (error) => Effect.fail(migrationFailure(migration, error, 0, options.timeoutMs))),
    // @effect/sql makes a failed COMMIT (a deferred constraint) a defect: it is this migration's failure.
    Effect.catchAllDefect((defect) =>
      Effect.fail(migrationFailure(migration, Cause.isCause(defect) ? Cause.squash(defect) : defect, 0, options.timeoutMs))
    )
  )
}

const run = (live: Live): RunBody => (migration, body, options, write, direction) => {
  const timed: Timed = (use) =>
    attempt(migration, options, () => (body._tag === "Sql" ? failingStatement("", body.sql) : undefined), use)
  if (migration.transaction) {
    // A revert takes the lock too, and reads no row.
    const before: Effect.Effect<unknown, RunError | AlreadyApplied> = direction === "up"
      ? guard(live, migration, options, false)
      : takeLock(live, migration, options)
    return runInTransaction(live, migration, body, options, write, before, timed)
  }
  return Effect.zipRight(
    direction === "up" ? start(live, migration, options) : Effect.void,
    timed((current) => {
      const alone = body._tag === "Sql"
        ? runOutsideTransaction(live.sql, live.searchPath, body.sql, options, current)
        : runBody(live.sql, migration, body, current)
      return Effect.zipRight(alone, current.record(write))
    })
  )
}

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const journal = yield* Journal
  const config = yield* MigrationConfig
  const facts = yield* Effect.serviceOption(ConnectionFacts)
  const live: Live = {
    sql,
    journal,
    lockWaitMs: config.lockWaitMs,
    mode: effectiveMode(config.lockMode, Option.isSome(facts) && facts.value.pooled),
    lockSql: transactionLockSql(migrationLockKey(config.schema, config.table), config.lockWaitMs),
    searchPath: searchPathValue(config.schema)
  }
  return fromRunBody(journal, run(live))
})

/** Runs migrations on the SqlClient of the environment, writing their rows through the Journal. */
export const layer: Layer.Layer<MigrationExecutor, never, SqlClient.SqlClient | Journal | MigrationConfig> = Layer.effect(
  MigrationExecutor,
  make
)
