import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Tracer } from "effect"
import pg from "pg"
import { lockKey } from "../../src/database/MigrationLock.js"
import { checksum } from "../../src/source/checksum.js"
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

describe("a start-up with nothing to do", () => {
  it.live("ends after one look at the journal, with the lines and report the pipeline gives", () =>
    withFreshDatabase("uptodate_same", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        const first = yield* runTraced(settings)
        expect(reportOf(first.result).applied).toHaveLength(2)
        expect(first.spans).toContain("effect-migrate/upToDate")
        expect(first.spans).toContain("effect-migrate/init")

        const again = yield* runTraced(settings)
        expect(again.spans).toContain("effect-migrate/upToDate")
        expect(again.spans).not.toContain("effect-migrate/init")
        // --to the newest migration: nothing to do either, decided by the pipeline.
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

  it.live("anything else is left to the pipeline: a changed file, a failed row, a new file, the RLS stage", () =>
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
        expect(withRls.spans).not.toContain("effect-migrate/upToDate")
        expect(withRls.spans).toContain("effect-migrate/rls")
        expect(reportOf(withRls.result).rls?.succeeded).toBe(1)
      })))

  it.live("a hand-made journal the one-text read could be fooled by goes to the pipeline, which applies what is pending", () =>
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

  it.live("does not decide while another runner holds the migration lock: the pipeline waits for it", () =>
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

  it.live("an applied file is not parsed again: one recorded with its checksum (mark-applied) that would no longer validate does not stop the start", () =>
    withFreshDatabase("uptodate_unparsed", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        reportOf((yield* runTraced(settings)).result)
        const text = "SELECT 'never closed;\n"
        yield* Effect.promise(() => writeFiles(dir, { "20240103000000_marked.sql": text }))
        yield* Effect.promise(() =>
          db.query("INSERT INTO migrations (id, name, status, checksum) VALUES ('20240103000000_marked', 'Marked', 'applied', $1)", [
            checksum(text)
          ])
        )
        const quick = yield* runTraced(settings)
        expect(quick.spans).not.toContain("effect-migrate/init")
        expect(reportOf(quick.result)).toMatchObject({ registered: 3, applied: [], success: true })
        // The pipeline (here for the RLS stage) still loads and validates every file, as init always has.
        const rlsDir = yield* Effect.promise(() => migrationDir({ "rls.sql": "SELECT 1;\n" }))
        const full = yield* runTraced({ ...settings, rlsFile: `${rlsDir}/rls.sql` })
        expect(Either.isLeft(full.result) && full.result.left).toBeInstanceOf(MigrationLoadError)
      })))

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

  it.live("the pipeline runs the module code the check imported, and records the checksum of that text", () =>
    withFreshDatabase("uptodate_module", (db) =>
      Effect.gen(function*() {
        const v1 = `export default async (db) => { await db.query("CREATE TABLE v1_table (id int)"); return true }\n`
        const v2 = v1.replace("v1_table", "v2_table")
        // The module rewrites itself when imported: a checkout landing between the check and the pipeline.
        const module = `import { writeFileSync } from "node:fs"\nimport { fileURLToPath } from "node:url"\n` +
          `writeFileSync(fileURLToPath(import.meta.url), ${JSON.stringify(v2)})\n` + v1
        const dir = yield* Effect.promise(() => migrationDir({ "20240101000000_mod.mjs": module }))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        const run = yield* runTraced(settings)
        expect(reportOf(run.result).applied.map((m) => m.id)).toEqual(["20240101000000_mod"])
        const rows = yield* Effect.promise(() => db.query<{ checksum: string }>("SELECT checksum FROM migrations"))
        expect(rows).toEqual([{ checksum: checksum(module) }])
        // The next start sees the file changed since it was applied.
        const again = yield* runTraced({ ...settings, rlsFile: `${dir}/none-such.sql` })
        expect(again.logs.some((line) => line.includes("20240101000000_mod") && line.includes("checksum"))).toBe(true)
      })))

  it.live("a broken migration file fails with the error init gives, naming the file", () =>
    withFreshDatabase("uptodate_broken", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files))
        const settings: Settings = { databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" }
        reportOf((yield* runTraced(settings)).result)
        yield* Effect.promise(() => writeFiles(dir, { "20240103000000_broken.sql": "SELECT 'never closed;\n" }))
        const quick = yield* runTraced(settings)
        const pipeline = yield* runTraced({ ...settings, rlsFile: `${dir}/missing-rls.sql` })
        // The look gives up on the broken file, and the pipeline meets and reports it, as without the look.
        expect(quick.spans).toContain("effect-migrate/upToDate")
        expect(quick.spans).toContain("effect-migrate/init")
        expect(pipeline.spans).not.toContain("effect-migrate/upToDate")
        for (const run of [quick, pipeline]) {
          expect(Either.isLeft(run.result) && run.result.left).toBeInstanceOf(MigrationLoadError)
          expect(Either.isLeft(run.result) && run.result.left.message).toContain("20240103000000_broken.sql")
        }
        expect(normalise(quick.logs)).toEqual(normalise(pipeline.logs))
      })))
})
