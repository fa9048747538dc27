import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Runtime } from "effect"
import type { LegacyDb, Migration, MigrationBody } from "../migration.js"
import { splitStatements } from "../sql/splitStatements.js"
import type { Attempt } from "./attempt.js"
import { settingsQuery } from "./migrationSettings.js"
import type { RunOptions } from "./MigrationExecutor.js"

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

/** The body on the calling fiber's connection: inside the transaction when there is one. */
export const runBody = (sql: SqlClient.SqlClient, migration: Migration, body: MigrationBody, { fail }: Attempt) => {
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
export const runOutsideTransaction = (
  sql: SqlClient.SqlClient,
  searchPath: string | undefined,
  text: string,
  options: RunOptions,
  { fail }: Attempt
) =>
  Effect.scoped(
    Effect.gen(function*() {
      // Uninterruptible: interrupted while connecting, @effect/sql-pg's reserve would leak the client.
      const connection = yield* Effect.uninterruptible(sql.reserve)
      const [settingsSql, params] = settingsQuery(sql, searchPath, options, false).compile()
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
