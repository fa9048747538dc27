import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { RunOptions } from "./MigrationExecutor.js"

const milliseconds = (ms: number) => String(Math.max(0, Math.round(ms)))

/**
 * Each migration starts from the session's defaults (RESET ALL: a `SET` of the one before does not reach it), with
 * statement_timeout, lock_timeout, idle_in_transaction_session_timeout (a frozen runner does not hold its locks past
 * the migration's time) and search_path (DATABASE_SCHEMA first) for the transaction, or the session.
 */
export const settingsQuery = (
  sql: SqlClient.SqlClient,
  searchPath: string | undefined,
  options: RunOptions,
  local: boolean
) =>
  sql`SELECT set_config('statement_timeout', ${milliseconds(options.timeoutMs)}, ${local}),
             set_config('lock_timeout', ${milliseconds(options.lockTimeoutMs)}, ${local}),
             set_config('idle_in_transaction_session_timeout', ${milliseconds(options.timeoutMs)}, ${local})${
    searchPath === undefined ? sql.literal("") : sql`, set_config('search_path', ${searchPath}, ${local})`
  }`

/** RESET ALL, then the migration's settings (see settingsQuery). */
export const applySettings = (
  sql: SqlClient.SqlClient,
  searchPath: string | undefined,
  options: RunOptions,
  local: boolean
) => Effect.zipRight(sql`RESET ALL`, settingsQuery(sql, searchPath, options, local))
