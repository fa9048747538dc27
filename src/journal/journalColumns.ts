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

/** The journal table, schema-qualified and quoted, as every statement on it names it. */
export const journalTableName = (schema: string, table: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`

/**
 * Two statements for `table` (quoted, from `journalTableName`). The first reads every row's state as one text with the number of rows: a line
 * per row, id, status and the checksum after `=` (or `-` for none), separated by spaces; nothing in it can be null,
 * so no row drops out. The second reads no row but fails (42703) unless the table has all of our columns, as the
 * full pipeline would make it. One text instead of a row each: node-postgres reads a thousand rows in several
 * milliseconds until its code is warm, one in a fraction.
 */
export const journalStateSql = (table: string): string =>
  `SELECT count(*)::int, ` +
  `string_agg(id || ' ' || coalesce(status, '') || ' ' || coalesce('=' || checksum, '-'), E'\\n') FROM ${table}; ` +
  `SELECT ${ourColumns.map(([column]) => quoteIdentifier(column)).join(", ")} FROM ${table} LIMIT 0`

/** What the first statement of `journalStateSql` returned. */
export interface JournalText {
  readonly rows: number
  readonly text: string | null
}

/**
 * The rows in the text of `journalStateSql`'s first statement; undefined when it cannot be read back exactly. Every
 * row has its line, so as many lines as rows means no field holds a line break, and then exactly two spaces in a
 * line means no field holds a space: each line is then its row, split at its spaces.
 */
export const journalStates = ({ rows, text }: JournalText): ReadonlyArray<JournalState> | undefined => {
  if (text === null) return rows === 0 ? [] : undefined
  const lines = text.split("\n")
  if (lines.length !== rows) return undefined
  const states: Array<JournalState> = []
  for (const line of lines) {
    const first = line.indexOf(" ")
    const second = line.indexOf(" ", first + 1)
    if (first < 0 || second < 0 || line.indexOf(" ", second + 1) >= 0) return undefined
    const checksum = line.slice(second + 1)
    if (checksum !== "-" && !checksum.startsWith("=")) return undefined
    states.push({
      id: line.slice(0, first),
      status: line.slice(first + 1, second),
      checksum: checksum === "-" ? null : checksum.slice(1)
    })
  }
  return states
}
