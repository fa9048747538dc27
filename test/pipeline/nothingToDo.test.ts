import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Tracer } from "effect"
import pg from "pg"
import { lockKey } from "../../src/database/MigrationLock.js"
import { LockTimeout, MigrationLoadError } from "../../src/errors.js"
import type { RunOptions } from "../../src/program.js"
import { migrationDir, writeFiles } from "../support/migrationDir.js"
import { normalise, reportOf, runLive, type Settings, withFreshDatabase } from "./support.js"

const files = {
  "20240101000000_first.sql": "CREATE TABLE first_t (id int);\n",
  "20240102000000_second.sql": "-- name: Second\nCREATE TABLE second_t (id int);\n"
}

/** Runs the live pipeline and records the names of the spans it opened. */
const runTraced = (settings: Settings, options: RunOptions = {}) =>
  Effect.gen(function*() {
    const native = yield* Effect.tracer
    const spans: Array<string> = []
    const tracer = Tracer.make({
      span: (name, ...rest) => {
        spans.push(name)
        return native.span(name, ...rest)
      },
      context: native.context
    })
    const run = yield* runLive(settings, options).pipe(Effect.withTracer(tracer))
    return { ...run, spans }
  })

describe("a start-up with nothing to do, through the one pipeline", () => {
  it.live("logs the same lines and report as a run with a selection, and runs every stage", () =>
    withFreshDatabase("uptodate_same", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        const first = yield* runTraced(settings)
        expect(reportOf(first.result).applied).toHaveLength(2)
        expect(first.spans).toContain("effect-migrate/init")

        const again = yield* runTraced(settings)
        expect(again.spans).toContain("effect-migrate/init")
        expect(again.spans).toContain("effect-migrate/discover")
        // --to the newest migration: nothing to do either.
        const throughPipeline = yield* runTraced(settings, { selection: { to: "20240102000000_second" } })
        expect(throughPipeline.spans).toContain("effect-migrate/init")
        expect(normalise(again.logs)).toEqual(normalise(throughPipeline.logs))
        expect(normalise(again.logs)).toEqual([
          "[INFO] 🔄 Database migration process started",
          "[INFO] ⚙️ Initializing migration system",
          "[INFO] ✅ Migration system initialized in Nms with 2 registered migrations",
          "[INFO] ⏳ Running pending migrations...",
          "[INFO] 📊 Migration results: 0 applied, 0 skipped, 0 failed",
          "[INFO] ✅ Database migration completed successfully in Nms"
        ])
        const { durationMs: _a, ...report } = reportOf(again.result)
        const { durationMs: _b, ...pipelineReport } = reportOf(throughPipeline.result)
        expect(report).toEqual(pipelineReport)
        expect(report).toMatchObject({ registered: 2, applied: [], skipped: [], failed: [], success: true, rls: undefined })
      })))

  it.live("then a changed file warns, a failed row and a new file are applied, the RLS stage runs", () =>
    withFreshDatabase("uptodate_else", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        reportOf((yield* runTraced(settings)).result)

        yield* Effect.promise(() => writeFiles(dir, { "20240101000000_first.sql": "CREATE TABLE first_t (id int); -- edited\n" }))
        const changed = yield* runTraced(settings)
        expect(changed.spans).toContain("effect-migrate/init")
        expect(changed.logs.some((line) => line.includes("20240101000000_first") && line.includes("checksum"))).toBe(true)
        yield* Effect.promise(() => writeFiles(dir, files))

        yield* Effect.promise(() => db.query("DROP TABLE second_t; UPDATE migrations SET status = 'failed' WHERE id = '20240102000000_second'"))
        const failedRow = yield* runTraced(settings)
        expect(failedRow.spans).toContain("effect-migrate/init")
        expect(reportOf(failedRow.result).applied.map((m) => m.id)).toEqual(["20240102000000_second"])

        yield* Effect.promise(() => writeFiles(dir, { "20240103000000_third.sql": "CREATE TABLE third_t (id int);\n" }))
        const newFile = yield* runTraced(settings)
        expect(reportOf(newFile.result).applied.map((m) => m.id)).toEqual(["20240103000000_third"])

        // A row the one-text read cannot take apart for sure (a hand-made id with a space and a line break).
        yield* Effect.promise(() => db.query("INSERT INTO migrations (id, name, status) VALUES (E'old one\\nx', 'Old', 'applied')"))
        const oddRow = yield* runTraced(settings)
        expect(oddRow.spans).toContain("effect-migrate/init")
        expect(reportOf(oddRow.result)).toMatchObject({ applied: [], success: true })

        const rlsDir = yield* Effect.promise(() => migrationDir({ "rls.sql": "SELECT 1;\n" }))
        const withRls = yield* runTraced({ ...settings, rlsFile: `${rlsDir}/rls.sql` })
        expect(withRls.spans).toContain("effect-migrate/rls")
        expect(reportOf(withRls.result).rls?.succeeded).toBe(1)
      })))

  it.live("a hand-made journal (nullable status, an id with a line break) does not hide what is pending", () =>
    withFreshDatabase("uptodate_odd", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        // An older tool's table, with a nullable status: a row with no status drops out of string_agg, and an id
        // holding a line break adds a line back, which spells out both of our migrations as applied.
        yield* Effect.promise(() =>
          db.query(
            `CREATE TABLE migrations (id text PRIMARY KEY, name text NOT NULL, description text, applied_at timestamptz,
               duration integer, status text, checksum text, error text, "timestamp" bigint);
             INSERT INTO migrations (id, name) VALUES ('19990101000000_legacy', 'Legacy');
             INSERT INTO migrations (id, name, status)
               VALUES (E'20240101000000_first applied -\n20240102000000_second', 'Odd', 'applied')`
          )
        )
        const run = yield* runTraced(settings)
        expect(run.spans).toContain("effect-migrate/init")
        expect(reportOf(run.result).applied.map((m) => m.id)).toEqual(["20240101000000_first", "20240102000000_second"])
      })))

  it.live("waits for another runner's migration lock, and says so when it cannot get it", () =>
    withFreshDatabase("uptodate_lock", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none", lockWaitMs: 300 }
        reportOf((yield* runTraced(settings)).result)
        const holder = new pg.Client({ connectionString: db.url })
        yield* Effect.acquireRelease(
          Effect.promise(async () => {
            await holder.connect()
            await holder.query(`SELECT pg_advisory_lock(${lockKey("public", "migrations")}::bigint)`)
          }),
          () => Effect.promise(() => holder.end())
        )
        const blocked = yield* runTraced(settings)
        expect(blocked.spans).toContain("effect-migrate/init")
        expect(Either.isLeft(blocked.result) && blocked.result.left).toBeInstanceOf(LockTimeout)
      }).pipe(Effect.scoped)))

  it.live("a row written by hand without a checksum goes to the pipeline, which still validates that file", () =>
    withFreshDatabase("uptodate_nochecksum", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        reportOf((yield* runTraced(settings)).result)
        yield* Effect.promise(() => writeFiles(dir, { "20240103000000_byhand.sql": "SELECT 'never closed;\n" }))
        // DESIGN.md's manual-recovery INSERT: no checksum.
        yield* Effect.promise(() =>
          db.query(
            "INSERT INTO migrations (id, name, description, applied_at, duration, status) VALUES ('20240103000000_byhand', 'By hand', NULL, now(), 0, 'applied')"
          )
        )
        const run = yield* runTraced(settings)
        expect(run.spans).toContain("effect-migrate/init")
        expect(Either.isLeft(run.result) && run.result.left).toBeInstanceOf(MigrationLoadError)
      })))

  it.live("a broken migration file fails init, naming the file", () =>
    withFreshDatabase("uptodate_broken", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        reportOf((yield* runTraced(settings)).result)
        yield* Effect.promise(() => writeFiles(dir, { "20240103000000_broken.sql": "SELECT 'never closed;\n" }))
        const run = yield* runTraced(settings)
        expect(run.spans).toContain("effect-migrate/init")
        expect(Either.isLeft(run.result) && run.result.left).toBeInstanceOf(MigrationLoadError)
        expect(Either.isLeft(run.result) && run.result.left.message).toContain("20240103000000_broken.sql")
      })))
})
