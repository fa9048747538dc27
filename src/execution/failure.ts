import { failingStatement, locate } from "../database/failingStatement.js"
import { pgErrorInfo } from "../database/pgError.js"
import { MigrationFailed, MigrationTimeout } from "../errors.js"
import type { RunError } from "../journal/Journal.js"
import { hintForFailure, timeoutHint } from "../logging/hints.js"
import type { Migration } from "../migration.js"

/** The SQL a failed query ran: where it starts in the text sent (characters), and on which line of the file. */
export interface Script {
  readonly text: string
  readonly offset?: number | undefined
  readonly firstLine?: number | undefined
}

export const timeoutFailure = (
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

/** A migration's failure from the error of its query (or its code), with the failing statement when it can be told. */
export const migrationFailure = (
  migration: Migration,
  error: unknown,
  durationMs: number,
  timeoutMs: number,
  script?: Script
): RunError => {
  const info = pgErrorInfo(error)
  if (info.code === "57014") {
    return timeoutFailure(migration, durationMs, timeoutMs, info.message, script && failingStatement(info.message, script.text))
  }
  const at = script !== undefined && info.position !== undefined
    ? locate(script.text, info.position - (script.offset ?? 0))
    : undefined
  const line = at === undefined ? "" : ` (line ${at.line + (script?.firstLine ?? 1) - 1})`
  return new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: `${info.message}${line}`,
    code: info.code,
    hint: info.hint ?? hintForFailure(info.code),
    statement: at?.statement ?? (script && failingStatement(info.message, script.text)),
    durationMs
  })
}

/** The journal kept this migration's `applied` row: another runner applied it meanwhile. */
export const appliedByAnotherRunner = (migration: Migration, durationMs: number) =>
  new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: `${migration.id} is already recorded as applied: another runner applied it (was the migration lock lost?); ` +
      "this run's transaction was rolled back",
    // The journal's primary key refused a second `applied` row.
    code: "23505",
    hint: "run again: the migration is not pending any more",
    durationMs
  })

export const noDownMigration = (migration: Migration) =>
  new MigrationFailed({ id: migration.id, name: migration.name, message: "has no down migration", durationMs: 0 })
