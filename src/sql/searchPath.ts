import { quoteIdentifier } from "./quote.js"

/**
 * The search_path for DATABASE_SCHEMA (then public, for extensions' functions), so unqualified names in migrations
 * and the RLS file mean that schema; undefined for `public`, leaving the server's search_path alone.
 */
export const searchPathValue = (schema: string): string | undefined =>
  schema === "public" ? undefined : `${quoteIdentifier(schema)}, public`

/** `SET LOCAL search_path` (or SESSION) to `searchPathValue`; empty for `public`. */
export const searchPathSql = (schema: string, scope: "LOCAL" | "SESSION" = "LOCAL"): string => {
  const value = searchPathValue(schema)
  return value === undefined ? "" : `SET ${scope} search_path TO ${value};`
}
