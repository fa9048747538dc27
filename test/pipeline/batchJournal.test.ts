import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import { Journal } from "../../src/journal/Journal.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("batch_journal")

const query = <Row = Record<string, unknown>>(text: string) => Effect.promise(() => db.current.query<Row>(text))

const liveJournal = (schema = "public") =>
  JournalLive.layer.pipe(
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", schema }))
  )

const options = { timeoutMs: 10_000, lockTimeoutMs: 1_000 }

const load = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(Effect.flatMap((dir) => MigrationSource.loadDirectory(dir)))

/** The journal writes of a group (one round trip for several migrations) keep the semantics of `apply`. */
describe("a group's journal rows", () => {
  it.live("an applied row is never overwritten: a group that applies it again fails there, the ones before commit", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240101000000_first.sql": "CREATE TABLE g1 (id int);",
        "20240101000001_second.sql": "CREATE TABLE IF NOT EXISTS g2 (n int);\nINSERT INTO g2 VALUES (1);",
        "20240101000002_third.sql": "CREATE TABLE g3 (id int);"
      })
      const [first, second, third] = migrations
      const journal = yield* Journal
      yield* journal.ensure
      yield* journal.apply(second!, options)
      const before = yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240101000001_second'")

      // A runner that read its plan before another one applied `second`.
      const outcome = yield* journal.applyBatch([first!, second!, third!].map((migration) => ({ migration, options })))
      expect(outcome.applied.map((applied) => applied.migration.id)).toEqual(["20240101000000_first"])
      expect(outcome.failed?.migration.id).toBe("20240101000001_second")
      expect(outcome.failed?.error.message).toMatch(/already recorded as applied/)
      expect(yield* query("SELECT count(*)::int AS n FROM g2")).toEqual([{ n: 1 }])
      expect(yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240101000001_second'")).toEqual(before)
      expect(yield* query("SELECT id, status FROM migrations ORDER BY id")).toEqual([
        { id: "20240101000000_first", status: "applied" },
        { id: "20240101000001_second", status: "applied" }
      ])
      expect(yield* query("SELECT to_regclass('g3') AS t")).toEqual([{ t: null }])
    }).pipe(Effect.provide(liveJournal())))

  it.live("a failed row is replaced by the applied one, with name, description, checksum, timestamp and duration", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240102000000_retry.sql": "-- name: Retry $effect_migrate$ 'quoted' \\ \u{1F600}\n" +
          "-- description: it failed $effect_migrate_1$ once\nCREATE TABLE r1 (id int);",
        "20240102000001_next.sql": "CREATE TABLE r2 (id int);\nSELECT pg_sleep(0.05);"
      })
      const [retry, next] = migrations
      const journal = yield* Journal
      yield* journal.ensure
      yield* query(
        `INSERT INTO migrations (id, name, applied_at, duration, status, error)
         VALUES ('20240102000000_retry', 'Old name', now(), 3, 'failed', '42P01: boom')`
      )
      const outcome = yield* journal.applyBatch([retry!, next!].map((migration) => ({ migration, options })))
      expect(outcome.failed).toBeUndefined()
      expect(outcome.applied.map((applied) => applied.migration.id)).toEqual(["20240102000000_retry", "20240102000001_next"])
      const rows = yield* query<Record<string, unknown>>(
        `SELECT id, name, description, status, checksum, error, "timestamp"::text AS ts, duration
         FROM migrations WHERE id LIKE '20240102%' ORDER BY id`
      )
      expect(rows).toEqual([
        {
          id: "20240102000000_retry",
          name: retry!.name,
          description: retry!.description,
          status: "applied",
          checksum: retry!.checksum ?? null,
          error: null,
          ts: "20240102000000",
          duration: expect.any(Number)
        },
        {
          id: "20240102000001_next",
          name: next!.name,
          description: next!.description ?? null,
          status: "applied",
          checksum: next!.checksum ?? null,
          error: null,
          ts: "20240102000001",
          duration: expect.any(Number)
        }
      ])
      expect(retry!.name).toContain("$effect_migrate$")
      expect(rows[1]!.duration).toBeGreaterThanOrEqual(50)
      expect(outcome.applied[1]!.durationMs).toBe(rows[1]!.duration)
    }).pipe(Effect.provide(liveJournal())))

  it.live("in another schema, each migration of a group runs with that schema first on its search_path", () =>
    Effect.gen(function*() {
      yield* query(`CREATE SCHEMA IF NOT EXISTS "app_s"`)
      const migrations = yield* load({
        "20240103000000_a.sql": "CREATE TABLE s1 (id int);",
        "20240103000001_b.sql": "CREATE TABLE s2 (id int);"
      })
      const journal = yield* Journal
      yield* journal.ensure
      const outcome = yield* journal.applyBatch(migrations.map((migration) => ({ migration, options })))
      expect(outcome.failed).toBeUndefined()
      expect(yield* query("SELECT to_regclass('app_s.s1')::text AS a, to_regclass('app_s.s2')::text AS b")).toEqual([
        { a: "app_s.s1", b: "app_s.s2" }
      ])
      expect(yield* query("SELECT id FROM app_s.migrations ORDER BY id")).toEqual([
        { id: "20240103000000_a" },
        { id: "20240103000001_b" }
      ])
    }).pipe(Effect.provide(liveJournal("app_s"))))

  it.live("a migration's own unique violation on a key that equals an earlier migration's id is blamed on it, not the earlier one", () =>
    Effect.gen(function*() {
      const migrations = yield* load({
        "20240104000000_one.sql": "CREATE TABLE u1 (id int);",
        "20240104000001_two.sql":
          "CREATE TABLE audit (id text PRIMARY KEY);\nINSERT INTO audit VALUES ('20240104000000_one');\nINSERT INTO audit VALUES ('20240104000000_one');"
      })
      const journal = yield* Journal
      yield* journal.ensure
      const outcome = yield* journal.applyBatch(migrations.map((migration) => ({ migration, options })))
      expect(outcome.applied.map((applied) => applied.migration.id)).toEqual(["20240104000000_one"])
      expect(outcome.failed?.migration.id).toBe("20240104000001_two")
      expect(outcome.failed?.error.message).toMatch(/audit_pkey/)
      expect(outcome.failed?.error.message).not.toMatch(/already recorded as applied/)
    }).pipe(Effect.provide(liveJournal())))

  it.live("rows read by ensure are not handed to a read after the scope they were read in has closed", () =>
    Effect.gen(function*() {
      const journal = yield* Journal
      yield* Effect.scoped(journal.ensure)
      yield* query(
        "INSERT INTO migrations (id, name, status) VALUES ('20240105000000_by_hand', 'By Hand', 'applied') ON CONFLICT DO NOTHING"
      )
      const entries = yield* journal.entries
      expect(entries.map((entry) => entry.id)).toContain("20240105000000_by_hand")
    }).pipe(Effect.provide(liveJournal())))
})
