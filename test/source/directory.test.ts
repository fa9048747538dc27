import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { DuplicateMigrationId, MigrationLoadError } from "../../src/errors.js"
import { loadDefinitions, loadDirectory } from "../../src/source/MigrationSource.js"
import { migrationDir, migrationModuleUrl } from "../support/migrationDir.js"

const load = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(Effect.flatMap((dir) => Effect.map(loadDirectory(dir), (m) => ({ dir, m }))))

const loadError = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(
    Effect.flatMap((dir) => Effect.map(Effect.flip(loadDirectory(dir)), (error) => ({ dir, error })))
  )

describe("a directory of migrations", () => {
  it.effect("loads .sql, .ts and .js files in timestamp order, then id", () =>
    Effect.gen(function*() {
      const { dir, m } = yield* load({
        "20240103000000_third.js": `export default { id: "20240103000000_third", timestamp: 20240103000000, up: "SELECT 3" }`,
        "20240101000000_first.sql": "SELECT 1;",
        "20240102000000_b.ts": `export default { timestamp: 20240102000000, up: "SELECT 2" } as const`,
        "20240102000000_a.sql": "SELECT 2;",
        "README.md": "not a migration",
        "_helpers.ts": "throw new Error('never imported')",
        "20240104000000_x.test.ts": "throw new Error('never imported')",
        "types.d.ts": "export {}"
      })
      expect(m.map((migration) => migration.id)).toEqual([
        "20240101000000_first",
        "20240102000000_a",
        "20240102000000_b",
        "20240103000000_third"
      ])
      expect(m[0]!.source).toBe(path.join(dir, "20240101000000_first.sql"))
      expect(m.every((migration) => typeof migration.checksum === "string")).toBe(true)
    }))

  it.effect("reads a Migration.make default export with Effect bodies", () =>
    Effect.gen(function*() {
      const { m } = yield* load({
        "20240102000000_add_color.ts": `
          import { Effect } from "effect"
          import * as Migration from ${JSON.stringify(migrationModuleUrl)}
          export default Migration.make({
            id: "add-color",
            name: "Add Color",
            description: "A colour per widget",
            timestamp: 20240102000000,
            up: Effect.void,
            down: Effect.void,
            transaction: false,
            timeout: 1234
          })`
      })
      expect(m).toHaveLength(1)
      const migration = m[0]!
      expect(migration).toMatchObject({
        id: "add-color",
        name: "Add Color",
        description: "A colour per widget",
        timestamp: 20240102000000,
        transaction: false,
        timeoutMs: 1234
      })
      expect(migration.up._tag).toBe("Effect")
      expect(migration.down?._tag).toBe("Effect")
    }))

  it.effect("Migration.make in a file may leave id and timestamp to the file name", () =>
    Effect.gen(function*() {
      const { m } = yield* load({
        "20240106000000_add_size.ts": `
          import * as Migration from ${JSON.stringify(migrationModuleUrl)}
          export default Migration.make({ name: "Add Size", up: "ALTER TABLE widgets ADD COLUMN size int" })`
      })
      expect(m[0]).toMatchObject({ id: "20240106000000_add_size", name: "Add Size", timestamp: 20240106000000 })
    }))

  it.effect("reads a plain object default export, filling id and name from the file name", () =>
    Effect.gen(function*() {
      const { m } = yield* load({
        "20240105000000_add_api_keys.js": `export default { up: "CREATE TABLE k (id int)", down: "DROP TABLE k" }`
      })
      expect(m[0]).toMatchObject({
        id: "20240105000000_add_api_keys",
        name: "Add Api Keys",
        timestamp: 20240105000000,
        transaction: true,
        timeoutMs: undefined
      })
      expect(m[0]!.up).toEqual({ _tag: "Sql", sql: "CREATE TABLE k (id int)" })
      expect(m[0]!.down).toEqual({ _tag: "Sql", sql: "DROP TABLE k" })
    }))

  it.effect("reads a legacy async (db) => boolean with named exports name and description", () =>
    Effect.gen(function*() {
      const { m } = yield* load({
        "20240104000000_add_user_preferences.ts": `
          export const name = "Add User Preferences"
          export const description = "Per-user settings"
          export default async function up(db: { query: (text: string) => Promise<unknown> }): Promise<boolean> {
            await db.query("SELECT 1")
            return true
          }`,
        "20240106000000_legacy_plain.js": `module.exports = async () => true`
      })
      expect(m[0]).toMatchObject({
        id: "20240104000000_add_user_preferences",
        name: "Add User Preferences",
        description: "Per-user settings",
        timestamp: 20240104000000,
        transaction: true
      })
      expect(m[0]!.up._tag).toBe("Legacy")
      // CommonJS, no named exports: the name comes from the slug.
      expect(m[1]).toMatchObject({ id: "20240106000000_legacy_plain", name: "Legacy Plain", description: undefined })
      expect(m[1]!.up._tag).toBe("Legacy")
    }))

  it.effect("reads a .sql file's name and description headers and its migrate:down section", () =>
    Effect.gen(function*() {
      const { m } = yield* load({
        "20240102000000_add_color.sql": [
          "-- name: Add Color",
          "-- description: A colour per widget; shown in the UI.",
          "ALTER TABLE widgets ADD COLUMN IF NOT EXISTS color text;",
          "",
          "-- migrate:down",
          "ALTER TABLE widgets DROP COLUMN IF EXISTS color;"
        ].join("\n"),
        "20240103000000_add_size.sql": "-- just a comment\nALTER TABLE widgets ADD COLUMN size int;\n",
        "20240104000000_concurrent_index.sql": "-- transaction: false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON widgets (color);\n",
        "20240105000000_wrapped.sql": "BEGIN;\nCREATE TABLE w (id int);\nCOMMIT;\n",
        "20240106000000_own_transactions.sql": "-- transaction: false\nBEGIN; SELECT 1; COMMIT;\nBEGIN; SELECT 2; COMMIT;\n"
      })
      expect(m[0]).toMatchObject({
        id: "20240102000000_add_color",
        name: "Add Color",
        description: "A colour per widget; shown in the UI.",
        timestamp: 20240102000000,
        transaction: true
      })
      const up = m[0]!.up
      expect(up._tag === "Sql" && up.sql).toContain("ADD COLUMN IF NOT EXISTS color")
      expect(up._tag === "Sql" && up.sql).not.toContain("DROP COLUMN")
      // The up section keeps the file's line numbers, so PostgreSQL's error positions point at the right line.
      expect(up._tag === "Sql" && up.sql.split("\n")[2]).toBe("ALTER TABLE widgets ADD COLUMN IF NOT EXISTS color text;")
      const down = m[0]!.down
      expect(down?._tag === "Sql" && down.sql.trim()).toBe("ALTER TABLE widgets DROP COLUMN IF EXISTS color;")
      expect(m[1]).toMatchObject({ name: "Add Size", description: undefined, down: undefined })
      expect(m[2]).toMatchObject({ transaction: false })
      expect(m[3]).toMatchObject({ id: "20240105000000_wrapped", transaction: true })
      const wrapped = m[3]!.up
      expect(wrapped._tag === "Sql" && wrapped.sql).toBe("     ;\nCREATE TABLE w (id int);\n      ;\n")
      expect(m[4]).toMatchObject({ id: "20240106000000_own_transactions", transaction: false })
    }))
})

describe("migrations given in code", () => {
  it.effect("validates and sorts an array of definitions", () =>
    Effect.gen(function*() {
      const m = yield* loadDefinitions([
        { id: "b", timestamp: "20240102000000", up: "SELECT 2" },
        { id: "a", name: "First", timestamp: 20240101000000, up: Effect.void, transaction: false }
      ])
      expect(m.map((migration) => [migration.id, migration.name, migration.timestamp, migration.source])).toEqual([
        ["a", "First", 20240101000000, "code"],
        ["b", "B", 20240102000000, "code"]
      ])
    }))

  it.effect("rejects duplicate ids and bad timestamps", () =>
    Effect.gen(function*() {
      const duplicate = yield* Effect.flip(loadDefinitions([
        { id: "a", timestamp: 1, up: "SELECT 1" },
        { id: "a", timestamp: 2, up: "SELECT 2" }
      ]))
      expect(duplicate).toBeInstanceOf(DuplicateMigrationId)
      const noId = yield* Effect.flip(loadDefinitions([{ timestamp: 1, up: "SELECT 1" }]))
      expect(noId.message).toBe(`migration "?": missing id`)
      const missing = yield* Effect.flip(loadDefinitions([{ id: "a", timestamp: "", up: "SELECT 1" }]))
      expect(missing).toBeInstanceOf(MigrationLoadError)
      expect(missing.message).toBe(`migration "a": missing timestamp`)
    }))
})

describe("load errors name the file", () => {
  it.effect("duplicate ids across files", () =>
    Effect.gen(function*() {
      const { dir, error } = yield* loadError({
        "20240101000000_a.sql": "SELECT 1;",
        "20240102000000_other.js": `export default { id: "20240101000000_a", timestamp: 20240102000000, up: "SELECT 2" }`
      })
      expect(error).toBeInstanceOf(DuplicateMigrationId)
      const duplicate = error as DuplicateMigrationId
      expect(duplicate.id).toBe("20240101000000_a")
      expect(duplicate.sources).toEqual([path.join(dir, "20240101000000_a.sql"), path.join(dir, "20240102000000_other.js")])
      expect(duplicate.message).toContain(path.join(dir, "20240101000000_a.sql"))
      expect(duplicate.message).toContain(path.join(dir, "20240102000000_other.js"))
    }))

  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    ["no default export", "20240101000000_named.js", "export const up = 'SELECT 1'", /no default export/],
    ["a default export that is not a migration", "20240101000000_number.js", "export default 42", /default export is not a migration/],
    ["an object without up", "20240101000000_noup.js", "export default { id: 'x', timestamp: 1 }", /default export is not a migration/],
    ["an up of the wrong type", "20240101000000_badup.js", "export default { timestamp: 20240101000000, up: 42 }", /up must be SQL text/],
    ["a module that throws on import", "20240101000000_throws.js", "throw new Error('boom at import')", /failed to import: boom at import/],
    ["a syntax error", "20240101000000_syntax.ts", "export default {", /failed to import/],
    ["a missing timestamp (.sql)", "create_users.sql", "SELECT 1;", /missing timestamp: SQL migrations are named <timestamp>_<slug>\.sql/],
    ["a timestamp too large to order (.sql)", "99999999999999999999_x.sql", "SELECT 1;", /invalid timestamp 100000000000000000000: too large/],
    ["a missing timestamp (legacy)", "legacy.js", "export default async () => true", /missing timestamp: name legacy migrations/],
    ["a missing timestamp (object)", "widgets.js", "export default { id: 'w', up: 'SELECT 1' }", /missing timestamp/],
    ["an invalid timestamp (object)", "widgets.js", "export default { id: 'w', timestamp: '2024-01-01', up: 'SELECT 1' }", /invalid timestamp "2024-01-01"/],
    ["an empty SQL file", "20240101000000_empty.sql", "-- name: Empty\n", /no SQL to run/],
    [
      "an unclosed quote in a SQL file",
      "20240101000000_unclosed.sql",
      "CREATE TABLE a (id int);\nINSERT INTO a VALUES ('x);",
      /line 2: a quoted string is never closed/
    ],
    [
      "a COMMIT inside a transactional SQL file",
      "20240101000000_commits.sql",
      "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);",
      /line 2: "COMMIT" would end the migration's transaction/
    ],
    [
      "a COMMIT inside a transactional SQL string",
      "20240101000000_commits.js",
      "export default { up: 'BEGIN; CREATE TABLE a (id int); COMMIT; CREATE TABLE b (id int);' }",
      /up: line 1: "COMMIT" would end/
    ]
  ]
  it.effect.each(cases)("%s", ([, fileName, content, pattern]) =>
    Effect.gen(function*() {
      const { dir, error } = yield* loadError({ "20240101000000_fine.sql": "SELECT 1;", [fileName]: content })
      expect(error).toBeInstanceOf(MigrationLoadError)
      const loadError_ = error as MigrationLoadError
      expect(loadError_.file).toBe(path.join(dir, fileName))
      expect(loadError_.message.startsWith(`${path.join(dir, fileName)}: `)).toBe(true)
      expect(loadError_.message).toMatch(pattern)
    }))

  it.effect("a missing directory", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(loadDirectory("/nonexistent/effect-migrate/migrations"))
      expect(error).toBeInstanceOf(MigrationLoadError)
      expect(error.message).toBe("cannot read migrations directory /nonexistent/effect-migrate/migrations: no such file or directory")
    }))
})
