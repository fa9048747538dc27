import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Layer, Runtime } from "effect"
import { MigrationConfig } from "../config.js"
import { failingStatement } from "../database/failingStatement.js"
import { Journal } from "../journal/Journal.js"
import type { LegacyDb, Migration, MigrationBody } from "../migration.js"
import { searchPathValue } from "../sql/searchPath.js"
import { splitStatements } from "../sql/splitStatements.js"
import { type Attempt, attempt } from "./attempt.js"
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
  const searchPath = searchPathValue((yield* MigrationConfig).schema)

  /** statement_timeout, lock_timeout and search_path (DATABASE_SCHEMA first) for the transaction, or the session. */
  const settings = (options: RunOptions, local: boolean) =>
    sql`SELECT set_config('statement_timeout', ${milliseconds(options.timeoutMs)}, ${local}),
               set_config('lock_timeout', ${milliseconds(options.lockTimeoutMs)}, ${local})${
      searchPath === undefined ? sql.literal("") : sql`, set_config('search_path', ${searchPath}, ${local})`
    }`

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
        const [settingsSql, params] = settings(options, false).compile()
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
          Effect.ignore(connection.executeRaw("RESET statement_timeout; RESET lock_timeout; RESET search_path", []))
        )
      })
    ).pipe(Effect.catchTag("SqlError", (error) => fail(error)))

  const run: RunBody = (migration, body, options, write) =>
    attempt(migration, options, () => (body._tag === "Sql" ? failingStatement("", body.sql) : undefined), (current) => {
      if (migration.transaction) {
        return sql.withTransaction(
          settings(options, true).pipe(
            Effect.catchAll((error) => current.fail(error)),
            Effect.zipRight(runBody(migration, body, current)),
            Effect.zipRight(current.record(write))
          )
        ).pipe(Effect.catchTag("SqlError", (error) => current.fail(error)))
      }
      const alone = body._tag === "Sql" ? runOutsideTransaction(body.sql, options, current) : runBody(migration, body, current)
      return Effect.zipRight(alone, current.record(write))
    })

  return fromRunBody(journal, run)
})

/** Runs migrations on the SqlClient of the environment, writing their rows through the Journal. */
export const layer: Layer.Layer<MigrationExecutor, never, SqlClient.SqlClient | Journal | MigrationConfig> = Layer.effect(
  MigrationExecutor,
  make
)
