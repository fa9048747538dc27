import { splitStatements } from "../sql/splitStatements.js"

/** Names an error message is about: `relation "dup"`, `must be owner of table dup`, `permission denied for schema app`. */
const namesIn = (message: string): ReadonlyArray<string> => {
  const names = new Set<string>()
  for (const [, name] of message.matchAll(/"([^"]+)"/g)) names.add(name!)
  const kinds = "table|schema|relation|view|materialized view|sequence|index|function|procedure|type|column|database|extension"
  for (const [, name] of message.matchAll(new RegExp(`\\b(?:${kinds})\\s+([A-Za-z_][\\w$.]*)`, "g"))) names.add(name!)
  return [...names]
}

const mentions = (statement: string, name: string): boolean => {
  const bare = name.split(".").at(-1)!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`(^|[^\\w$])"?${bare}"?($|[^\\w$])`, "i").test(statement)
}

/**
 * The statement of a script that an error without a position is about: the only statement, or the one
 * statement naming the most objects the message quotes. Undefined when that is ambiguous.
 */
export const failingStatement = (message: string, script: string): string | undefined => {
  const statements = splitStatements(script).map((statement) => statement.text)
  if (statements.length === 1) return statements[0]
  const names = namesIn(message)
  if (names.length === 0) return undefined
  const scores = statements.map((statement) => names.filter((name) => mentions(statement, name)).length)
  const best = Math.max(0, ...scores)
  if (best === 0) return undefined
  const winners = statements.filter((_, index) => scores[index] === best)
  if (winners.length === 1) return winners[0]
  // "already exists" is about a statement that creates something.
  const verb = /^column\b/.test(message) ? /\bADD\b/i : /^CREATE\b/i
  const creating = /already exists/.test(message) ? winners.filter((statement) => verb.test(statement)) : []
  return creating.length === 1 ? creating[0] : undefined
}

/** The UTF-16 index of the n-th character (code point) of a text: PostgreSQL counts error positions in characters. */
const indexOfCharacter = (text: string, n: number): number | undefined => {
  let index = 0
  for (let seen = 0; seen < n; seen++) {
    if (index >= text.length) return undefined
    const code = text.charCodeAt(index)
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1
  }
  return index
}

/** Where an error position (1-based, in characters, as PostgreSQL reports it) falls in a script: its line and statement. */
export const locate = (script: string, position: number): { readonly line: number; readonly statement: string | undefined } | undefined => {
  const at = position < 1 ? undefined : indexOfCharacter(script, position - 1)
  if (at === undefined) return undefined
  const line = script.slice(0, at).split("\n").length
  const statement = splitStatements(script).filter((candidate) => candidate.line <= line).at(-1)?.text
  return { line, statement }
}
