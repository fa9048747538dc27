import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { pgErrorInfo } from "../database/pgError.js"
import { DatabaseError } from "../errors.js"
import { adoptionRefused } from "./AdoptionRefused.js"
import { type History, type TableName, type Tool, type ToolHistory } from "./histories.js"

const databaseError = (operation: string) => (error: unknown) =>
  new DatabaseError({ operation, message: `${operation}: ${pgErrorInfo(error).message}`, code: pgErrorInfo(error).code })

/**
 * Reads another tool's history table, with SELECTs only. A table that is missing, or lacks the columns the tool
 * writes, is refused, naming it: it is not that tool's history.
 */
export const readHistory = (tool: Tool, history: ToolHistory, at: TableName) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const name = `${at.schema}.${at.name}`
    const columns = yield* sql<{ name: string }>`
      SELECT a.attname::text AS name FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ${at.schema} AND c.relname = ${at.name} AND a.attnum > 0 AND NOT a.attisdropped`.pipe(
      Effect.mapError(databaseError(`inspect ${name}`))
    )
    if (columns.length === 0) {
      return yield* adoptionRefused(tool, name, [
        `no such table; name the table ${tool} used with --history-table <schema.table>`
      ])
    }
    const missing = history.columns.filter((column) => !columns.some((found) => found.name === column))
    if (missing.length > 0) {
      return yield* adoptionRefused(tool, name, [
        `it has no column ${missing.join(", ")}: it is not ${tool}'s history table (its columns: ${
          columns.map((column) => column.name).join(", ")
        })`
      ])
    }
    const other = history.notWith
    if (other !== undefined && columns.some((found) => found.name === other.column)) {
      return yield* adoptionRefused(tool, name, [`it has a column ${other.column}: it is ${other.tool}'s history, not ${tool}'s`])
    }
    return yield* history.read(sql, at).pipe(Effect.mapError(databaseError(`read ${tool}'s history ${name}`)))
  }) satisfies Effect.Effect<History, unknown, SqlClient.SqlClient>
