import { describe, expect, it } from "vitest"
import { scanStatements } from "../../src/sql/splitStatements.js"
import { scanStatements as referenceScan } from "./reference/scanStatements.js"

/** Pieces that steer the scanner: quotes, escapes, dollar tags, comments, BEGIN ATOMIC words, parentheses, line ends. */
const pieces = [
  "CREATE", "create", "CrEaTe", "FUNCTION", "BEGIN", "begin", "ATOMIC", "atomic", "CASE", "case", "END", "end", "SELECT",
  "x", "E", "e", "ne", "_e", "1", "$1", "$", "$$", "$a$", "$ab$", "$_1$", "$1$", "a$b", "$é$", "'", "''", "\"", "\"\"",
  "\\", "\\'", "E'", "e'", "--", "-", "/*", "*/", "/", "*", ";", ";", ";", "(", ")", "\n", "\n", "\r\n", "\r", " ", " ",
  "\t", "\f", "\v", "ſ", "caſe", "ATOMıC", "ß", "é", "\u{1D518}", "\u00a0", "\u0080", "COMMIT", "BEGIN ATOMIC", "END;", ",", "::"
]

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x80000000
}

const script = (random: () => number): string => {
  const count = Math.floor(random() * 40)
  let text = ""
  for (let i = 0; i < count; i++) {
    text += pieces[Math.floor(random() * pieces.length)]!
    if (random() < 0.4) text += " "
  }
  return text
}

describe("scanStatements, rewritten for speed, answers as the earlier scanner did", () => {
  it("on 30000 generated scripts", () => {
    const random = seeded(20240101)
    for (let i = 0; i < 30_000; i++) {
      const text = script(random)
      const actual = scanStatements(text)
      const expected = referenceScan(text)
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ text, actual }).toEqual({ text, actual: expected })
    }
  })

  it("on long tags, tags cut at 64 characters and unterminated bodies", () => {
    const cases = [
      `SELECT $${"t".repeat(61)}$ x $${"t".repeat(61)}$;`,
      `SELECT $${"t".repeat(62)}$ x; $${"t".repeat(62)}$;`,
      `SELECT $${"t".repeat(63)}$ x; $${"t".repeat(63)}$;`,
      `SELECT $${"t".repeat(70)}$ x; SELECT 2;`,
      "SELECT $a$ never closed; SELECT 2;",
      "SELECT 'never closed; SELECT 2;",
      "SELECT E'ends in a backslash\\",
      "SELECT \"never closed; SELECT 2;",
      "/* /* nested */ still open; SELECT 2;",
      "CREATE FUNCTION f() BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;",
      "CREATE TABLE begin (atomic int); SELECT 2;",
      "CREATE FUNCTION f() BEGIN ATOMIC SELECT caſe WHEN true THEN 1 END; SELECT 2; END; SELECT 3;",
      "CREATE FUNCTION f() BEGIN ATOMıC SELECT 1; END; SELECT 2;",
      "CREATE FUNCTION f() BEGIN ATOMIC\u0080 SELECT 1; END; SELECT 2;",
      "create function f() begin -- comment\n atomic select 1; end; select 2;"
    ]
    for (const text of cases) expect(scanStatements(text)).toEqual(referenceScan(text))
  })
})
