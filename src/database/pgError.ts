import { hintForCode } from "../logging/hints.js"
import { DatabaseError } from "../errors.js"

/** What an operator needs from a failed query: SQLSTATE, message, and where in the text it failed. */
export interface PgErrorInfo {
  readonly code: string | undefined
  readonly message: string
  readonly position: number | undefined
  readonly hint: string | undefined
  /** The schema and table of a constraint violation, when the server names them. */
  readonly schema?: string | undefined
  readonly table?: string | undefined
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined

/** Unwraps @effect/sql's SqlError (or any error) down to the PostgreSQL error it carries. */
export const pgErrorInfo = (error: unknown): PgErrorInfo => {
  let current: unknown = error
  for (let depth = 0; depth < 5; depth++) {
    const code = field(current, "code")
    if (typeof code === "string" && code !== "" && field(current, "_tag") !== "SqlError") {
      const message = String(field(current, "message") ?? code)
      const detail = field(current, "detail")
      const serverHint = field(current, "hint")
      const position = Number(field(current, "position"))
      const schema = field(current, "schema")
      const table = field(current, "table")
      return {
        code,
        message: typeof detail === "string" && detail !== "" ? `${message} (${detail})` : message,
        position: Number.isFinite(position) && position > 0 ? position : undefined,
        hint: hintForCode(code) ?? (typeof serverHint === "string" ? serverHint : undefined),
        schema: typeof schema === "string" ? schema : undefined,
        table: typeof table === "string" ? table : undefined
      }
    }
    const cause = field(current, "cause")
    if (cause === undefined) break
    current = cause
  }
  const message = error instanceof Error
    ? error.message
    : typeof field(error, "message") === "string"
    ? String(field(error, "message"))
    : String(error)
  return { code: undefined, message, position: undefined, hint: undefined }
}

/** A failed statement as our DatabaseError, its message prefixed with what was being done. */
export const databaseError = (operation: string) => (error: unknown): DatabaseError => {
  const info = pgErrorInfo(error)
  return new DatabaseError({ operation, message: `${operation}: ${info.message}`, code: info.code })
}
