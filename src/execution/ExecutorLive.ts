import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Layer, Option, Runtime } from "effect"
import { MigrationConfig } from "../config.js"
import { failingStatement } from "../database/failingStatement.js"
import { effectiveMode } from "../database/MigrationLock.js"
import { pgErrorInfo } from "../database/pgError.js"
import { ConnectionFacts } from "../database/pooler.js"
import { Journal, type JournalEntry } from "../journal/Journal.js"
import type { AlreadyApplied, RunError } from "../journal/Journal.js"
import type { LegacyDb, Migration, MigrationBody } from "../migration.js"
import { searchPathValue } from "../sql/searchPath.js"
import { splitStatements } from "../sql/splitStatements.js"
import { type Attempt, attempt } from "./attempt.js"
import { checkRow, interrupted, migrationLockKey, migrationLockSql, waitedTooLong } from "./claim.js"
import { migrationFailure } from "./failure.js"
import { fromRunBody, MigrationExecutor, type RunBody, type RunOptions } from "./MigrationExecutor.js"

const milliseconds = (ms: number) => String(Math.max(0, Math.round(ms)))

/** A legacy `async (db) => boolean`: its queries run on the calling fiber's connection (its transaction), `false` fails. */
const runLegacy = (sql: SqlClient.SqlClient, migration: Migration, run: (db: LegacyDb) => Promise<boolean> | boolean) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    // Interrupting the migration (its timeout) aborts the signal, which interrupts the running query:
    // @effect/sql-pg then cancels it on the server instead of leaving it to run.
    // A failed query rejects with PostgreSQL's own error (`code`, `position`, ...), as node-postgres does.
    const db = (signal: AbortSignal): LegacyDb => ({
      query: async (text, params) => {
        const exit = await Runtime.runPromiseExit(runtime)(
          sql.unsafe<Record<string, unknown>>(text, params === undefined ? [] : [...params]).pipe(Effect.map((rows) => ({ rows }))),
          { signal }
        )
        if (Exit.isSuccess(exit)) return exit.value
        const error = Cause.squash(exit.cause)
        throw error instanceof SqlError && error.cause instanceof Error ? error.cause : error
      }
    })
    const ok = yield* Effect.tryPromise({ try: async (signal) => run(db(signal)), catch: (cause) => cause })
    if (ok === false) return yield* Effect.fail(new Error(`migration ${migration.id} returned false`))
  })

export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const journal = yield* Journal
  const config = yield* MigrationConfig
  const searchPath = searchPathValue(config.schema)
  const facts = yield* Effect.serviceOption(ConnectionFacts)
  const mode = effectiveMode(config.lockMode, Option.isSome(facts) && facts.value.pooled)
  const lockSql = migrationLockSql(migrationLockKey(config.schema, config.table), config.lockWaitMs)

  /**
   * Each migration starts from the session's defaults (RESET ALL: a `SET` of the one before does not reach it), with
   * statement_timeout, lock_timeout, idle_in_transaction_session_timeout (a frozen runner does not hold its locks past
   * the migration's time) and search_path (DATABASE_SCHEMA first) for the transaction, or the session.
   */
  const settingsQuery = (options: RunOptions, local: boolean) =>
    sql`SELECT set_config('statement_timeout', ${milliseconds(options.timeoutMs)}, ${local}),
               set_config('lock_timeout', ${milliseconds(options.lockTimeoutMs)}, ${local}),
               set_config('idle_in_transaction_session_timeout', ${milliseconds(options.timeoutMs)}, ${local})${
      searchPath === undefined ? sql.literal("") : sql`, set_config('search_path', ${searchPath}, ${local})`
    }`
  const settings = (options: RunOptions, local: boolean) => Effect.zipRight(sql`RESET ALL`, settingsQuery(options, local))

  /** The per-migration lock, then the journal row read again (see claim.ts); in the caller's transaction. */
  const takeLock = (migration: Migration, options: RunOptions) =>
    sql.unsafe(lockSql).pipe(
      Effect.mapError((error) =>
        pgErrorInfo(error).code === "55P03"
          ? waitedTooLong(migration, config.lockWaitMs, "55P03")
          : migrationFailure(migration, error, 0, options.timeoutMs)
      )
    )
  const guard = (migration: Migration, options: RunOptions, start: boolean) =>
    takeLock(migration, options).pipe(
      Effect.zipRight(checkRow(journal, migration, start, (error) => migrationFailure(migration, error, 0, options.timeoutMs)))
    )

  /**
   * A `transaction: false` migration's `running` row, written before its first statement. One an earlier run left is
   * an interrupted migration; behind a pooler (no session lock) another runner may be on it: wait for its outcome.
   */
  const start = (migration: Migration, options: RunOptions): Effect.Effect<void, RunError | AlreadyApplied> =>
    Effect.gen(function*() {
      const deadline = Date.now() + config.lockWaitMs
      while (true) {
        const kept: JournalEntry | undefined = yield* sql.withTransaction(guard(migration, options, true)).pipe(
          Effect.catchTag("SqlError", (error) => Effect.fail(migrationFailure(migration, error, 0, options.timeoutMs)))
        )
        if (kept === undefined) return
        if (mode !== "transaction" || Date.now() >= deadline) return yield* interrupted(migration, kept, mode === "transaction")
        yield* Effect.sleep(500)
      }
    })

  /** The body on the calling fiber's connection: inside the transaction when there is one. */
  const runBody = (migration: Migration, body: MigrationBody, { fail }: Attempt) => {
    switch (body._tag) {
      case "Sql":
        return Effect.catchAll(sql.unsafe(body.sql), (error) => fail(error, { text: body.sql }))
      case "Effect":
        return Effect.catchAll(Effect.provideService(body.effect, SqlClient.SqlClient, sql), (error) => fail(error))
      case "Legacy":
        return Effect.catchAll(runLegacy(sql, migration, body.run), (error) => fail(error))
    }
  }

  /**
   * SQL that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`): its statements one at a time on a connection of
   * its own, under the migration's settings for that session.
   */
  const runOutsideTransaction = (text: string, options: RunOptions, { fail }: Attempt) =>
    Effect.scoped(
      Effect.gen(function*() {
        // Uninterruptible: interrupted while connecting, @effect/sql-pg's reserve would leak the client.
        const connection = yield* Effect.uninterruptible(sql.reserve)
        const [settingsSql, params] = settingsQuery(options, false).compile()
        yield* connection.executeRaw("RESET ALL", [])
        yield* connection.execute(settingsSql, params, undefined)
        yield* Effect.ensuring(
          Effect.forEach(
            splitStatements(text),
            (statement) =>
              Effect.catchAll(
                connection.executeRaw(statement.text, []),
                (error) => fail(error, { text: statement.text, firstLine: statement.line })
              ),
            { discard: true }
          ),
          Effect.ignore(connection.executeRaw("RESET ALL", []))
        )
      })
    ).pipe(Effect.catchTag("SqlError", (error) => fail(error)))

  const run: RunBody = (migration, body, options, write, direction) => {
    const timed = (use: (current: Attempt) => Effect.Effect<number, RunError>) =>
      attempt(migration, options, () => (body._tag === "Sql" ? failingStatement("", body.sql) : undefined), use)
    // A revert takes the lock too, and reads no row.
    const before: Effect.Effect<unknown, RunError | AlreadyApplied> = direction === "up"
      ? guard(migration, options, false)
      : takeLock(migration, options)
    if (migration.transaction) {
      // The lock's wait is not the migration's time: the attempt (and its timeout) starts once the lock is held.
      return sql.withTransaction(
        Effect.zipRight(
          before,
          timed((current) =>
            settings(options, true).pipe(
              Effect.catchAll((error) => current.fail(error)),
              Effect.zipRight(runBody(migration, body, current)),
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
    return Effect.zipRight(
      direction === "up" ? start(migration, options) : Effect.void,
      timed((current) => {
        const alone = body._tag === "Sql" ? runOutsideTransaction(body.sql, options, current) : runBody(migration, body, current)
        return Effect.zipRight(alone, current.record(write))
      })
    )
  }

  return fromRunBody(journal, run)
})

/** Runs migrations on the SqlClient of the environment, writing their rows through the Journal. */
export const layer: Layer.Layer<MigrationExecutor, never, SqlClient.SqlClient | Journal | MigrationConfig> = Layer.effect(
  MigrationExecutor,
  make
)
