/** The journal's columns besides `id` and `name`, with their types: added to an older journal of ours. */
export const ourColumns: ReadonlyArray<readonly [string, string]> = [
  ["description", "text"],
  ["applied_at", "timestamptz DEFAULT now()"],
  ["duration", "integer"],
  ["status", "text NOT NULL DEFAULT 'applied'"],
  ["checksum", "text"],
  ["error", "text"],
  ["timestamp", "bigint"]
]
