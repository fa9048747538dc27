import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as ExecutorLive from "../../src/execution/ExecutorLive.js"
import { MigrationExecutor } from "../../src/execution/MigrationExecutor.js"
import { Journal } from "../../src/journal/Journal.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { migration } from "../journal/contract.js"
import { migrationDir } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("executor_live")

const query = <Row = Record<string, unknown>>(text: string) => Effect.promise(() => db.current.query<Row>(text))

const liveExecutor = (schema = "public") =>
  ExecutorLive.layer.pipe(
    Layer.provideMerge(JournalLive.layer),
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", schema }))
  )

const options = { timeoutMs: 10_000, lockTimeoutMs: 1_000 }

const load = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(Effect.flatMap((dir) => MigrationSource.loadDirectory(dir)))

const setUp = Effect.gen(function*() {
  const journal = yield* Journal
  yield* journal.ensure
  return { journal, executor: yield* MigrationExecutor }
})

/** What only the live executor can show: the migration's own effects commit with its row, or not at all. */
describe("the live executor", () => {
  it.live("an applied row is never overwritten: applying it again is refused before it runs, and the row is kept", () =>
    Effect.gen(function*() {
      const [first, second] = yield* load({
        "20240101000000_first.sql": "CREATE TABLE g1 (id int);",
        "20240101000001_second.sql": "CREATE TABLE IF NOT EXISTS g2 (n int);\nINSERT INTO g2 VALUES (1);"
      })
      const { executor } = yield* setUp
      yield* executor.apply(second!, options)
      const before = yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240101000001_second'")

      // A runner that read its plan before another one applied `second`.
      yield* executor.apply(first!, options)
      const error = yield* Effect.flip(executor.apply(second!, options))
      expect(error._tag).toBe("AlreadyApplied")
      expect("id" in error ? error.id : undefined).toBe("20240101000001_second")
      expect(error.message).toMatch(/already recorded as applied/)
      expect(yield* query("SELECT count(*)::int AS n FROM g2")).toEqual([{ n: 1 }])
      expect(yield* query("SELECT applied_at, duration FROM migrations WHERE id = '20240101000001_second'")).toEqual(before)
      expect(yield* query("SELECT id, status FROM migrations ORDER BY id")).toEqual([
        { id: "20240101000000_first", status: "applied" },
        { id: "20240101000001_second", status: "applied" }
      ])
    }).pipe(Effect.provide(liveExecutor())))

  it.live("a failed row is replaced by the applied one, with name, description, checksum, timestamp and duration", () =>
    Effect.gen(function*() {
      const [retry, next] = yield* load({
        "20240102000000_retry.sql": "-- name: Retry $effect_migrate$ 'quoted' \\ \u{1F600}\n" +
          "-- description: it failed $effect_migrate_1$ once\nCREATE TABLE r1 (id int);",
        "20240102000001_next.sql": "CREATE TABLE r2 (id int);\nSELECT pg_sleep(0.05);"
      })
      const { executor } = yield* setUp
      yield* query(
        `INSERT INTO migrations (id, name, applied_at, duration, status, error)
         VALUES ('20240102000000_retry', 'Old name', now(), 3, 'failed', '42P01: boom')`
      )
      const durations = [yield* executor.apply(retry!, options), yield* executor.apply(next!, options)]
      const rows = yield* query<Record<string, unknown>>(
        `SELECT id, name, description, status, checksum, error, "timestamp"::text AS ts, duration
         FROM migrations WHERE id LIKE '20240102%' ORDER BY id`
      )
      expect(rows).toEqual([retry!, next!].map((m, index) => ({
        id: m.id,
        name: m.name,
        description: m.description ?? null,
        status: "applied",
        checksum: m.checksum ?? null,
        error: null,
        ts: String(m.timestamp),
        // The duration returned is the one recorded.
        duration: durations[index]
      })))
      expect(retry!.name).toContain("$effect_migrate$")
    }).pipe(Effect.provide(liveExecutor())))

  it.live("in another schema, each migration runs with that schema first on its search_path", () =>
    Effect.gen(function*() {
      yield* query(`CREATE SCHEMA IF NOT EXISTS "app_s"`)
      const migrations = yield* load({
        "20240103000000_a.sql": "CREATE TABLE s1 (id int);",
        "20240103000001_b.sql": "CREATE TABLE s2 (id int);"
      })
      const { executor } = yield* setUp
      for (const m of migrations) yield* executor.apply(m, options)
      expect(yield* query("SELECT to_regclass('app_s.s1')::text AS a, to_regclass('app_s.s2')::text AS b")).toEqual([
        { a: "app_s.s1", b: "app_s.s2" }
      ])
      expect(yield* query("SELECT id FROM app_s.migrations ORDER BY id")).toEqual([
        { id: "20240103000000_a" },
        { id: "20240103000001_b" }
      ])
    }).pipe(Effect.provide(liveExecutor("app_s"))))

  it.live("a migration's own unique violation on a key that equals an applied migration's id is blamed on it", () =>
    Effect.gen(function*() {
      const [one, two] = yield* load({
        "20240104000000_one.sql": "CREATE TABLE u1 (id int);",
        "20240104000001_two.sql":
          "CREATE TABLE audit (id text PRIMARY KEY);\nINSERT INTO audit VALUES ('20240104000000_one');\nINSERT INTO audit VALUES ('20240104000000_one');"
      })
      const { executor } = yield* setUp
      yield* executor.apply(one!, options)
      const error = yield* Effect.flip(executor.apply(two!, options))
      expect(error).toMatchObject({ id: "20240104000001_two", code: "23505" })
      expect(error.message).toMatch(/audit_pkey/)
      expect(error.message).not.toMatch(/already recorded as applied/)
    }).pipe(Effect.provide(liveExecutor())))

  it.live("a syntax error names its line and statement; a defect in an Effect body is that migration's failure", () =>
    Effect.gen(function*() {
      const { executor, journal } = yield* setUp
      const syntax = migration("20240105000000_syntax", {
        up: { _tag: "Sql", sql: "-- \u{1F600}\u{1F600} first\nCREATE TABLE ok_1 (id int);\nSELEC 1;\nCREATE TABLE ok_2 (id int);" }
      })
      const error = yield* Effect.flip(executor.apply(syntax, options))
      expect(error).toMatchObject({ code: "42601", statement: "SELEC 1" })
      expect(error.message).toMatch(/\(line 3\)$/)
      expect(yield* query("SELECT to_regclass('ok_1') AS t")).toEqual([{ t: null }])

      const dying = migration("20240105000001_dies", { up: { _tag: "Effect", effect: Effect.die(new Error("bug in the migration")) } })
      const defect = yield* Effect.flip(executor.apply(dying, options))
      expect(defect).toMatchObject({ _tag: "MigrationFailed", id: dying.id, message: "bug in the migration" })
      const ids = (yield* journal.entries).map((entry) => entry.id)
      expect(ids).not.toContain(syntax.id)
      expect(ids).not.toContain(dying.id)
    }).pipe(Effect.provide(liveExecutor())))

  it.live("entries reads the table as it is now: rows written by anyone since ensure are there", () =>
    Effect.gen(function*() {
      const { journal } = yield* setUp
      yield* query(
        "INSERT INTO migrations (id, name, status) VALUES ('20240106000000_by_hand', 'By Hand', 'applied') ON CONFLICT DO NOTHING"
      )
      const entries = yield* journal.entries
      expect(entries.map((entry) => entry.id)).toContain("20240106000000_by_hand")
    }).pipe(Effect.provide(liveExecutor())))
})
