import { Clock, Effect } from "effect"
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import { Database } from "../database/Database.js"
import { RlsCoverageIncomplete, RlsFileMissing, RlsStatementFailed } from "../errors.js"
import * as Events from "../logging/events.js"
import { hintForFailure, rlsStatementHint } from "../logging/hints.js"
import type { RlsOutcome } from "../report.js"
import { searchPathSql } from "../sql/searchPath.js"
import { type SqlStatement, splitStatements } from "../sql/splitStatements.js"
import { stage } from "./stageTimeout.js"

const readRlsFile = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) =>
      new RlsFileMissing({
        file,
        message: `RLS file ${file} cannot be read: ${
          typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT"
            ? "no such file"
            : String(cause)
        }`
      })
  })

const isMissing = (error: RlsFileMissing) => error.message.endsWith(": no such file")

/** Runs each statement on its own (a failure does not stop the others); the failures, in order. */
const runStatements = (file: string, statements: ReadonlyArray<SqlStatement>) =>
  Effect.gen(function*() {
    const settings = yield* MigrationConfig
    const database = yield* Database
    const failures: Array<RlsStatementFailed> = []
    // Unqualified names in the file mean the tables of DATABASE_SCHEMA, as in the migrations.
    const prefix = searchPathSql(settings.schema)
    yield* Effect.forEach(statements, (statement, i) =>
      database.executeStatement(prefix === "" ? statement.text : `${prefix}\n${statement.text}`, settings.timeoutMs).pipe(
        Effect.catchAll((info) => {
          const failure = new RlsStatementFailed({
            index: i + 1,
            total: statements.length,
            failed: 0,
            message: `${file}:${statement.line}: ${info.message}`,
            code: info.code,
            hint: info.hint ?? (info.code === undefined ? rlsStatementHint : hintForFailure(info.code)),
            statement: statement.text
          })
          failures.push(failure)
          return Events.rlsStatementFailed(i + 1, statements.length, statement.text, failure)
        })
      ), { discard: true })
    return failures
  })

/**
 * Splits the RLS file into statements and runs each on its own, counting successes and failures;
 * then reports tenant tables left without row level security. The default RLS_FILE absent means no RLS stage
 * (undefined, one info line); a file the user named and that is absent is an error.
 */
export const rls = Effect.gen(function*() {
  const settings = yield* MigrationConfig
  const database = yield* Database
  const file = path.resolve(settings.rlsFile)
  const startedAt = yield* Clock.currentTimeMillis
  const text = yield* Effect.either(readRlsFile(file))
  if (text._tag === "Left" && !settings.rlsFileExplicit && isMissing(text.left)) {
    yield* Events.rlsSkippedNoFile(file)
    return undefined
  }
  yield* Events.rlsStarted
  if (text._tag === "Left") {
    yield* Events.rlsFileMissing(file)
    return {
      file,
      statements: 0,
      succeeded: 0,
      failed: 0,
      durationMs: (yield* Clock.currentTimeMillis) - startedAt,
      failures: [],
      unprotectedTables: [],
      tenantTables: 0,
      error: text.left
    } satisfies RlsOutcome
  }
  yield* Events.rlsFileFound(file)
  const statements = splitStatements(text.right)
  yield* Events.rlsExecuting(statements.length)
  const failures = yield* runStatements(file, statements)
  const tenantTables = yield* database.tenantTables(settings.schema)
  const unprotected = tenantTables.filter((table) => !table.rlsEnabled)
  yield* Effect.forEach(unprotected, (table) => Events.rlsTableUnprotected(table.table, table.columns), { discard: true })
  if (unprotected.length > 0) yield* Events.rlsCoverage(tenantTables.length - unprotected.length, tenantTables.length)
  const durationMs = (yield* Clock.currentTimeMillis) - startedAt
  yield* Events.rlsCompleted(durationMs, statements.length - failures.length, failures.length, {
    tenantTables: tenantTables.length,
    protectedTables: tenantTables.length - unprotected.length
  })
  const coverageError = settings.validate === "strict" && unprotected.length > 0
    ? new RlsCoverageIncomplete({
      tables: unprotected.map((table) => table.table),
      message: `MIGRATION_VALIDATE=strict: tenant tables without row level security: ${
        unprotected.map((table) => table.table).join(", ")
      }`
    })
    : undefined
  return {
    file,
    statements: statements.length,
    succeeded: statements.length - failures.length,
    failed: failures.length,
    durationMs,
    failures: failures.map((failure) =>
      new RlsStatementFailed({
        index: failure.index,
        total: failure.total,
        failed: failures.length,
        message: failure.message,
        code: failure.code,
        hint: failure.hint,
        statement: failure.statement
      })
    ),
    unprotectedTables: unprotected.map((table) => table.table),
    tenantTables: tenantTables.length,
    error: coverageError
  } satisfies RlsOutcome
}).pipe((self) =>
  Effect.flatMap(MigrationConfig, (settings) =>
    // Statement count is unknown until the file is read: allow a generous fixed budget per statement.
    stage("rls", Math.max(60_000, settings.timeoutMs * 20))(self))
)
