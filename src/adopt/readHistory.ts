import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { databaseError } from "../database/pgError.js"
import { columnsOfTable, journalTable } from "../journal/journalStatements.js"
import { adoptionRefused } from "./AdoptionRefused.js"
import { type History, type TableName, type Tool, type ToolHistory } from "./histories.js"

/**
 * Reads another tool's history table, with SELECTs only. A table that is missing, or lacks the columns the tool
 * writes, is refused, naming it: it is not that tool's history.
 */
export const readHistory = (tool: Tool, history: ToolHistory, at: TableName) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const name = `${at.schema}.${at.name}`
    const columns = yield* columnsOfTable(journalTable(sql, at.schema, at.name)).pipe(
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
