import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseSqlMigration, sqlFingerprint } from "../../src/source/sqlFile.js"
import { parseSqlMigration as referenceParse } from "./reference/sqlFile.js"

/** Lines and pieces that steer the parser: headers, markers, comments, white space, transaction control, line ends. */
const lines = [
  "-- name: Add Color", "--name:X", "-- description: a; b", "-- transaction: false", "-- transaction: true", "-- Transaction:FALSE",
  "-- timeout: 5000", "-- timeout: 0", "-- timeout: soon", "-- id: custom_id", "-- just a comment", "--", "-- 9x: not a header",
  "-- migrate:up", "-- migrate:up transaction:false", "--migrate:UP transaction: true", "-- migrate:down", "-- MIGRATE:DOWN",
  "  -- migrate:down  ", "-- migrate:downward", "-- migrate: up", "SELECT 'migrate:up';", "", "", "   ", "\t", "\u00a0", "\ufeff",
  "SELECT 1;", "CREATE TABLE t (id int);", "BEGIN;", "COMMIT;", "ROLLBACK;", "END;", "SAVEPOINT a;", "/* block */", "/* open",
  "*/ SELECT 2;", "/* -- */", "-- /*", "SELECT 'open;", "SELECT $$ a; $$;", "SELECT $x$ open", ";", "E'\\'';", "caſe", "ſ"
]
const endings = ["\n", "\n", "\n", "\r\n", "\r"]
const names = ["20240101000000_add_color.sql", "20240101000000.sql", "20241399000000_bad.sql", "create_users.sql", "1_x.sql"]

const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x80000000
}

const pick = <A>(random: () => number, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!

const outcome = (result: Either.Either<unknown, { readonly message: string }>) =>
  Either.isLeft(result) ? { error: result.left.message } : { migration: result.right }

/** `count` files made of the lines above, from a seeded generator: the same files on every run. */
function* generatedFiles(seed: number, count: number) {
  const random = seeded(seed)
  for (let i = 0; i < count; i++) {
    const lineCount = Math.floor(random() * 10)
    let text = ""
    for (let k = 0; k < lineCount; k++) text += pick(random, lines) + (k + 1 < lineCount || random() < 0.5 ? pick(random, endings) : "")
    const fileName = random() < 0.8 ? names[0]! : pick(random, names)
    yield { file: `/migrations/${fileName}`, fileName, text }
  }
}

describe("parseSqlMigration, rewritten for speed, answers as the earlier parser did", () => {
  it("on 20000 generated files", () => {
    for (const { file, fileName, text } of generatedFiles(7, 20_000)) {
      const actual = outcome(parseSqlMigration(file, fileName, text))
      const expected = outcome(referenceParse(file, fileName, text))
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ text, actual }).toEqual({ text, actual: expected })
    }
  })
})

describe("sqlFingerprint: the id, timestamp and checksum a full parse gives, its SQL unread", () => {
  it("on 20000 generated files: the same fingerprint whenever the parse succeeds, and a failure whenever the file name is wrong", () => {
    for (const { file, fileName, text } of generatedFiles(11, 20_000)) {
      const parsed = parseSqlMigration(file, fileName, text)
      const fingerprint = sqlFingerprint(file, fileName, text)
      if (Either.isRight(parsed)) {
        const { checksum, id, source, timestamp } = parsed.right
        expect(fingerprint).toEqual(Either.right({ id, timestamp, checksum, source }))
      } else if (Either.isLeft(fingerprint)) {
        // What the fingerprint refuses, the parse refuses in the same words (the file name comes first in both).
        expect(fingerprint.left.message).toBe(parsed.left.message)
      }
    }
  })
})
