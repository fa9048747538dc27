/** Where the `down` part of a module migration begins: its SQL is not what `up` runs. */
const downStart = /\bdown\s*:|\bfunction\s+down\b|\bconst\s+down\b|\blet\s+down\b/

/** Calls whose argument is SQL text: sql`...`, sql.unsafe("..."), db.query(`...`), and `up: "..."`. */
const sqlStart = /\bsql\s*`|\b(?:query|unsafe|execute|raw)\s*\(\s*[`'"]|\bup\s*:\s*[`'"]/g

export interface SqlLiteral {
  /** Character offsets of the literal's content (without its quotes) in the file. */
  readonly start: number
  readonly end: number
  /** It interpolates values (`${...}`): its SQL cannot be seen whole. */
  readonly dynamic: boolean
}

const literalEnd = (text: string, start: number, quote: string): { readonly end: number; readonly dynamic: boolean } => {
  let dynamic = false
  for (let i = start; i < text.length; i++) {
    const char = text[i]!
    if (char === "\\") i++
    else if (char === quote) return { end: i, dynamic }
    else if (quote === "`" && char === "$" && text[i + 1] === "{") dynamic = true
  }
  return { end: text.length, dynamic }
}

/** The SQL literals of a module migration's `up`, found in its source text. */
export const sqlLiterals = (source: string): ReadonlyArray<SqlLiteral> => {
  const down = downStart.exec(source)
  const limit = down === null ? source.length : down.index
  const literals: Array<SqlLiteral> = []
  for (const match of source.slice(0, limit).matchAll(sqlStart)) {
    const quoteIndex = match.index + match[0].length - 1
    const { dynamic, end } = literalEnd(source, quoteIndex + 1, source[quoteIndex]!)
    literals.push({ start: quoteIndex + 1, end, dynamic })
  }
  return literals
}

/**
 * The file's text with everything but the static SQL literals blanked (line breaks kept) and each literal's closing
 * quote turned into `;`: one SQL text whose offsets are the file's.
 */
export const sqlView = (source: string, literals: ReadonlyArray<SqlLiteral>): string => {
  const chars = source.replace(/[^\n]/g, " ").split("")
  for (const literal of literals) {
    if (literal.dynamic) continue
    for (let i = literal.start; i < literal.end; i++) chars[i] = source[i]!
    if (literal.end < chars.length) chars[literal.end] = ";"
  }
  return chars.join("")
}
