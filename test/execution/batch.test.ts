import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as Batch from "../../src/execution/batch.js"
import { MigrationGroups, nextGroupSize } from "../../src/execution/batch.js"
import { Journal } from "../../src/journal/Journal.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import type { Migration } from "../../src/migration.js"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"

describe("group size of consecutive SQL migrations", () => {
  it("doubles while groups come back quickly, up to 100", () => {
    expect(nextGroupSize(1, 1, 5)).toBe(2)
    expect(nextGroupSize(32, 32, 60)).toBe(64)
    expect(nextGroupSize(100, 100, 50)).toBe(100)
  })

  it("after a slower group, holds as many as fit in 200 ms at the pace that group went", () => {
    // 64 migrations of 4.5 ms each: not back to 1, but the 44 that fit.
    expect(nextGroupSize(64, 64, 288)).toBe(44)
    expect(nextGroupSize(44, 44, 198)).toBe(44)
  })

  it("a slow migration brings it back to 1", () => {
    expect(nextGroupSize(64, 64, 10_000)).toBe(1)
    expect(nextGroupSize(8, 1, 250)).toBe(1)
  })
})

const db = useTestDatabase("batch_groups")

const query = <Row = Record<string, unknown>>(text: string) => Effect.promise(() => db.current.query<Row>(text))

const liveGroups = (schema = "public") =>
  Batch.layer.pipe(
    Layer.provideMerge(JournalLive.layer),
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", schema }))
  )

const options = { timeoutMs: 10_000, lockTimeoutMs: 1_000 }

const load = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(Effect.flatMap((dir) => MigrationSource.loadDirectory(dir)))

/** Sends the migrations as one group; the ids it reports committed. */
const send = (migrations: ReadonlyArray<Migration>, timeoutMs = options.timeoutMs) =>
  Effect.gen(function*() {
    yield* Effect.flatMap(Journal, (journal) => journal.ensure)
    const groups = yield* MigrationGroups
    return yield* groups.apply(migrations.map((migration) => ({ migration, options: { ...options, timeoutMs } })))
  })

const ids = (outcome: Batch.GroupOutcome) => outcome.applied.map((a) => a.migration.id)

/** One message for several migrations, each in its own transaction with its row; whatever did not commit is left alone. */
describe("a group of SQL migrations", () => {
  it.live("all commit: each has its row, with the duration it reports and the migration's fields", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240101000000_retry.sql": "-- name: Retry $effect_migrate$ 'quoted' \\ \u{1F600}\n" +
          "-- description: it failed $effect_migrate_1$ once\nCREATE TABLE a1 (id int);",
        "20240101000001_next.sql": "CREATE TABLE a2 (id int);\nSELECT pg_sleep(0.05);"
      })
      yield* Effect.flatMap(Journal, (journal) => journal.ensure)
      yield* query(
        `INSERT INTO migrations (id, name, applied_at, duration, status, error)
         VALUES ('20240101000000_retry', 'Old name', now(), 3, 'failed', '42P01: boom')`
      )
      const outcome = yield* send(migrations)
      expect(outcome.failed).toBeUndefined()
      expect(ids(outcome)).toEqual(migrations.map((m) => m.id))
      const rows = yield* query<Record<string, unknown>>(
        `SELECT id, name, description, status, checksum, error, "timestamp"::text AS ts, duration
         FROM migrations WHERE id LIKE '20240101%' ORDER BY id`
      )
      expect(rows).toEqual(migrations.map((m, index) => ({
        id: m.id,
        name: m.name,
        description: m.description ?? null,
        status: "applied",
        checksum: m.checksum ?? null,
        error: null,
        ts: String(m.timestamp),
        duration: outcome.applied[index]!.durationMs
      })))
      expect(migrations[0]!.name).toContain("$effect_migrate$")
    }).pipe(Effect.provide(liveGroups())))

  it.live("a runtime error in the middle: the ones before commit, it fails with its own line and statement, the rest are left", () =>
    Effect.gen(function*() {
      // Characters outside the BMP before it: PostgreSQL counts positions in characters, not UTF-16 units.
      const emoji = "\u{1F600}".repeat(20)
      const migrations = yield* load({
        "20240102000000_b1.sql": `-- seed ${emoji}\nCREATE TABLE b1 (v text);\nINSERT INTO b1 VALUES ('${emoji}');`,
        "20240102000001_b2.sql": "CREATE TABLE b2 (id int);\nINSERT INTO missing_table VALUES (1);",
        "20240102000002_b3.sql": "CREATE TABLE b3 (id int);"
      })
      const outcome = yield* send(migrations)
      expect(ids(outcome)).toEqual(["20240102000000_b1"])
      expect(outcome.failed?.migration.id).toBe("20240102000001_b2")
      expect(outcome.failed?.error).toMatchObject({ _tag: "MigrationFailed", code: "42P01", statement: "INSERT INTO missing_table VALUES (1)" })
      expect(outcome.failed?.error.message).toMatch(/\(line 2\)$/)
      expect(yield* query("SELECT id FROM migrations WHERE id LIKE '20240102%'")).toEqual([{ id: "20240102000000_b1" }])
      expect(yield* query("SELECT to_regclass('b2') AS b2, to_regclass('b3') AS b3")).toEqual([{ b2: null, b3: null }])
    }).pipe(Effect.provide(liveGroups())))

  it.live("a syntax error fails the whole message before it runs: a later one leaves the group to run alone", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240103000000_c1.sql": "CREATE TABLE c1 (id int);",
        "20240103000001_c2.sql": "CREATE TABLE c2 (id int,, v text);"
      })
      expect(yield* send(migrations)).toEqual({ applied: [], failed: undefined })
      expect(yield* query("SELECT id FROM migrations WHERE id LIKE '20240103%'")).toEqual([])
      // In the first migration, it is that migration's failure.
      const first = yield* send([migrations[1]!, migrations[0]!])
      expect(first.applied).toEqual([])
      expect(first.failed?.migration.id).toBe("20240103000001_c2")
      expect(first.failed?.error).toMatchObject({ code: "42601", statement: "CREATE TABLE c2 (id int,, v text)" })
    }).pipe(Effect.provide(liveGroups())))

  it.live("an applied row is never overwritten: a migration another runner applied stops the group there", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240104000000_d1.sql": "CREATE TABLE d1 (id int);",
        "20240104000001_d2.sql": "CREATE TABLE IF NOT EXISTS d2 (n int);\nINSERT INTO d2 VALUES (1);",
        "20240104000002_d3.sql": "CREATE TABLE d3 (id int);"
      })
      yield* send([migrations[1]!])
      const before = yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240104000001_d2'")
      const outcome = yield* send(migrations)
      expect(ids(outcome)).toEqual(["20240104000000_d1"])
      expect(outcome.failed?.migration.id).toBe("20240104000001_d2")
      expect(outcome.failed?.error.message).toMatch(/already recorded as applied/)
      expect(yield* query("SELECT count(*)::int AS n FROM d2")).toEqual([{ n: 1 }])
      expect(yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240104000001_d2'")).toEqual(before)
      expect(yield* query("SELECT to_regclass('d3') AS t")).toEqual([{ t: null }])
    }).pipe(Effect.provide(liveGroups())))

  it.live("a migration's own unique violation on a key equal to an earlier migration's id stops the group at it", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240105000000_e1.sql": "CREATE TABLE e1 (id int);",
        "20240105000001_e2.sql":
          "CREATE TABLE audit (id text PRIMARY KEY);\nINSERT INTO audit VALUES ('20240105000000_e1');\nINSERT INTO audit VALUES ('20240105000000_e1');"
      })
      const outcome = yield* send(migrations)
      expect(ids(outcome)).toEqual(["20240105000000_e1"])
      expect(outcome.failed?.migration.id).toBe("20240105000001_e2")
      expect(outcome.failed?.error.message).toMatch(/audit_pkey/)
      expect(outcome.failed?.error.message).not.toMatch(/already recorded as applied/)
    }).pipe(Effect.provide(liveGroups())))

  it.live("a group over the smallest timeout of its migrations is cancelled: the one cut short is left to run alone", () =>
    Effect.gen(function*() {
      // Each statement well under the statement_timeout: only the group's own time limit stops it.
      const migrations = yield* load({
        "20240106000000_f1.sql": "CREATE TABLE f1 (id int);",
        "20240106000001_f2.sql": `CREATE TABLE f2 (id int);\n${"SELECT pg_sleep(0.2), 'f2 sleeping';\n".repeat(10)}`
      })
      expect(yield* send(migrations, 500)).toMatchObject({ applied: [{ migration: { id: "20240106000000_f1" } }], failed: undefined })
      const sleeping = yield* query(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE '%f2 sleeping%' AND state <> 'idle' AND pid <> pg_backend_pid()"
      )
      expect(sleeping).toEqual([])
      expect(yield* query("SELECT to_regclass('f2') AS t")).toEqual([{ t: null }])
    }).pipe(Effect.provide(liveGroups())))

  it.live("in another schema, each migration of a group runs with that schema first on its search_path", () =>
    Effect.gen(function*() {
      yield* query(`CREATE SCHEMA IF NOT EXISTS "app_s"`)
      const migrations = yield* load({
        "20240107000000_a.sql": "CREATE TABLE s1 (id int);",
        "20240107000001_b.sql": "CREATE TABLE s2 (id int);"
      })
      expect(yield* send(migrations)).toMatchObject({ applied: [{ migration: { id: migrations[0]!.id } }, { migration: { id: migrations[1]!.id } }] })
      expect(yield* query("SELECT to_regclass('app_s.s1')::text AS a, to_regclass('app_s.s2')::text AS b")).toEqual([
        { a: "app_s.s1", b: "app_s.s2" }
      ])
      expect(yield* query("SELECT id FROM app_s.migrations ORDER BY id")).toEqual(migrations.map((m) => ({ id: m.id })))
    }).pipe(Effect.provide(liveGroups("app_s"))))
})
