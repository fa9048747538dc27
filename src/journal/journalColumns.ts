import { quoteIdentifier } from "../sql/quote.js"
import type { JournalState } from "./Journal.js"

/** The journal's columns besides `id` and `name`, with their types: added to a table an older tool made. */
export const ourColumns: ReadonlyArray<readonly [string, string]> = [
  ["description", "text"],
  ["applied_at", "timestamptz DEFAULT now()"],
  ["duration", "integer"],
  ["status", "text NOT NULL DEFAULT 'applied'"],
  ["checksum", "text"],
  ["error", "text"],
  ["timestamp", "bigint"]
]

/**
 * Two statements for `table` (quoted): every row's state, then one that reads no row but fails (42703) unless the
 * table has all of our columns, as the full pipeline would make it.
 */
export const journalStateSql = (table: string): string =>
  `SELECT id, status, checksum FROM ${table}; ` +
  `SELECT ${ourColumns.map(([column]) => quoteIdentifier(column)).join(", ")} FROM ${table} LIMIT 0`

/** The rows of `journalStateSql`'s first statement, read as arrays. */
export const journalStates = (rows: ReadonlyArray<ReadonlyArray<unknown>>): ReadonlyArray<JournalState> =>
  // Indexes rather than destructuring, which goes through the iterator protocol: slow in code not yet optimised,
  // and this runs once per start-up.
  rows.map((row) => ({
    id: String(row[0]),
    status: String(row[1]),
    checksum: row[2] === null ? null : String(row[2])
  }))
