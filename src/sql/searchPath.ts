import { quoteIdentifier } from "./quote.js"

/**
 * `SET LOCAL search_path` (or SESSION) to DATABASE_SCHEMA (then public, for extensions' functions), so unqualified names in
 * migrations and the RLS file mean that schema; empty for `public`, leaving the server's search_path alone.
 */
export const searchPathSql = (schema: string, scope: "LOCAL" | "SESSION" = "LOCAL"): string =>
  schema === "public" ? "" : `SET ${scope} search_path TO ${quoteIdentifier(schema)}, public;`
