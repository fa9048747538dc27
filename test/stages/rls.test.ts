import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, Option, TestClock } from "effect"
import * as Config from "../../src/config.js"
import { Database } from "../../src/database/Database.js"
import { parseTarget } from "../../src/database/target.js"
import * as path from "node:path"
import { RlsCoverageIncomplete, RlsFileMissing, RlsStatementFailed, StageTimeout } from "../../src/errors.js"
import { hintForCode } from "../../src/logging/hints.js"
import { migrationDir } from "../support/migrationDir.js"
import { runMocked } from "./support.js"

const rlsFile = [
  "-- RLS for the test",
  "ALTER TABLE a ENABLE ROW LEVEL SECURITY;",
  "CREATE POLICY p ON a USING (user_id = current_setting('app.current_user_id', true)::uuid);",
  "DO $$ BEGIN PERFORM 1; END $$;",
  "ALTER TABLE b ENABLE ROW LEVEL SECURITY;"
].join("\n")

const withRlsFile = (text: string) =>
  Effect.promise(() => migrationDir({ "enable-rls.sql": text })).pipe(Effect.map((dir) => path.join(dir, "enable-rls.sql")))

const migrations = [{ id: "a", name: "Create A", timestamp: 1, up: "SELECT 1" }]

describe("rls stage", () => {
  it.effect("runs each statement on its own and counts them", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile(rlsFile)
      const { executed, logs, result } = yield* runMocked({ migrations, settings: { rlsFile: file } })
      const report = Either.getOrThrow(result)
      expect(executed).toEqual([
        "ALTER TABLE a ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY p ON a USING (user_id = current_setting('app.current_user_id', true)::uuid)",
        "DO $$ BEGIN PERFORM 1; END $$",
        "ALTER TABLE b ENABLE ROW LEVEL SECURITY"
      ])
      expect(report.rls).toMatchObject({ file, statements: 4, succeeded: 4, failed: 0, failures: [], error: undefined })
      expect(report.success).toBe(true)
      expect(logs.slice(-5)).toEqual([
        "[INFO] 🔒 Running Row Level Security (RLS) migration",
        "[INFO] 📄 Found RLS migration SQL file",
        "[INFO] 📝 Executing 4 RLS SQL statements",
        "[INFO] ✅ RLS migration completed in 0ms (4 succeeded, 0 failed)",
        "[INFO] ✅ Database migration completed successfully in 0ms"
      ])
    }))

  it.effect("a failing statement is counted and logged as i/n; the others still run; the run fails", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile(rlsFile)
      const { executed, logs, result } = yield* runMocked({
        migrations,
        settings: { rlsFile: file },
        database: {
          failStatement: (statement) =>
            statement.startsWith("CREATE POLICY")
              ? { code: "42710", message: `policy "p" for table "a" already exists`, position: undefined, hint: hintForCode("42710") }
              : undefined
        }
      })
      const report = Either.getOrThrow(result)
      expect(executed).toHaveLength(4)
      expect(report.success).toBe(false)
      expect(report.rls).toMatchObject({ statements: 4, succeeded: 3, failed: 1 })
      const failure = report.rls!.failures[0]!
      expect(failure).toBeInstanceOf(RlsStatementFailed)
      expect(failure).toMatchObject({ index: 2, total: 4, failed: 1, code: "42710" })
      expect(failure.message).toBe(`${file}:3: policy "p" for table "a" already exists`)
      expect(report.failure).toBe(failure)
      expect(logs).toContain("[ERROR] ❌ Error executing SQL statement 2/4")
      expect(logs).toContain(
        `[ERROR]    ↳ 42710 ${file}:3: policy "p" for table "a" already exists (hint: ${hintForCode("42710")})`
      )
      expect(logs).toContain("[ERROR] ❌ RLS migration completed in 0ms (3 succeeded, 1 failed)")
      expect(logs).toContain("[ERROR] ❌ Migration process completed with errors: 1 applied, 0 failed, 1 RLS statement failed")
    }))

  it.effect("a statement failing without SQLSTATE still carries a hint", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile("SELECT 1;")
      const { logs } = yield* runMocked({
        migrations,
        settings: { rlsFile: file },
        database: { failStatement: () => ({ code: undefined, message: "connection lost", position: undefined, hint: undefined }) }
      })
      expect(logs.find((line) => line.includes("↳"))).toMatch(/^\[ERROR\]    ↳ .*connection lost \(hint: fix the statement in RLS_FILE/)
    }))

  it.effect("runs after a failed migration, so the tables that exist get their policies", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile(rlsFile)
      const { executed, result } = yield* runMocked({
        migrations: [...migrations, { id: "b", timestamp: 2, up: "SELECT 2" }],
        settings: { rlsFile: file },
        journal: { failing: { b: "42601" } }
      })
      const report = Either.getOrThrow(result)
      expect(executed).toHaveLength(4)
      expect(report.failed.map((m) => m.id)).toEqual(["b"])
      expect(report.failure).toMatchObject({ _tag: "MigrationFailed", id: "b" })
    }))

  it.effect("a missing file is reported by name and fails the run", () =>
    Effect.gen(function*() {
      const dir = path.dirname(yield* withRlsFile("SELECT 1;"))
      const file = path.join(dir, "missing.sql")
      const { executed, logs, result } = yield* runMocked({ migrations, settings: { rlsFile: file } })
      const report = Either.getOrThrow(result)
      expect(executed).toEqual([])
      expect(report.success).toBe(false)
      expect(report.rls?.error).toBeInstanceOf(RlsFileMissing)
      expect(report.rls?.error?.message).toBe(`RLS file ${file} cannot be read: no such file`)
      expect(report.failure).toBe(report.rls?.error)
      expect(logs).toContain(`[ERROR] ❌ RLS migration SQL file not found: ${file}`)
      expect(logs.find((line) => line.includes("↳"))).toMatch(/hint: create the file, or point RLS_FILE/)
      expect(logs).toContain("[ERROR] ❌ Migration process completed with errors: 1 applied, 0 failed, RLS file not found")
    }))

  it.effect("the default RLS file missing means no RLS stage, said in one info line", () =>
    Effect.gen(function*() {
      const dir = path.dirname(yield* withRlsFile("SELECT 1;"))
      const file = path.join(dir, "absent", "enable-rls.sql")
      // As the environment gives it when RLS_FILE is not set: the default path, not named by the user.
      const settings = { ...Config.make({ rlsFile: file }), rlsFileExplicit: false }
      const { executed, logs, result } = yield* runMocked(
        { migrations, settings: { rlsFile: file } },
        {},
        Layer.succeed(Config.MigrationConfig, settings)
      )
      const report = Either.getOrThrow(result)
      expect(report.success).toBe(true)
      expect(report.rls).toBeUndefined()
      expect(executed).toEqual([])
      expect(logs.filter((line) => /RLS/.test(line))).toEqual([
        `[INFO] ℹ️ No RLS file at ${file} (the default RLS_FILE): skipping the RLS stage; set RLS_FILE to run one`
      ])
      expect(logs.at(-1)).toBe("[INFO] ✅ Database migration completed successfully in 0ms")
    }))

  it.effect("RLS_FILE=none skips the stage", () =>
    Effect.gen(function*() {
      const { executed, logs, result } = yield* runMocked({ migrations, settings: { rlsFile: "none" } })
      expect(Either.getOrThrow(result).rls).toBeUndefined()
      expect(executed).toEqual([])
      expect(logs.some((line) => line.includes("RLS"))).toBe(false)
    }))

  it.effect("warns about tenant tables without RLS; fails in strict mode", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile(rlsFile)
      const tenantTables = [
        { table: "a", columns: ["user_id"], rlsEnabled: true },
        { table: "notes", columns: ["organization_id", "user_id"], rlsEnabled: false }
      ]
      const warned = yield* runMocked({ migrations, settings: { rlsFile: file }, database: { tenantTables } })
      expect(Either.getOrThrow(warned.result)).toMatchObject({ success: true, rls: { unprotectedTables: ["notes"], tenantTables: 2 } })
      expect(warned.logs).toContain("[WARN] ⚠️ Table notes has organization_id, user_id but no row level security")
      const strict = yield* runMocked({
        migrations,
        settings: { rlsFile: file, validate: "strict" },
        database: { tenantTables }
      })
      const report = Either.getOrThrow(strict.result)
      expect(report.success).toBe(false)
      expect(report.failure).toBeInstanceOf(RlsCoverageIncomplete)
      expect(strict.logs).toContain(
        "[ERROR] ❌ Migration process completed with errors: 1 applied, 0 failed, 1 tenant table without RLS"
      )
    }))

  it.effect("times out as a stage when a statement never returns (TestClock)", () =>
    Effect.gen(function*() {
      const file = yield* withRlsFile(rlsFile)
      const hanging = Layer.succeed(Database, {
        target: parseTarget("pglite:memory"),
        executeStatement: () => Effect.never,
        tenantTables: () => Effect.succeed([])
      })
      const fiber = yield* Effect.fork(runMocked({ migrations, settings: { rlsFile: file, timeoutMs: 1_000 } }, {}, hanging))
      yield* TestClock.adjust(59_999)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(1)
      const { result, rows } = yield* Fiber.join(fiber)
      expect(Either.flip(result).pipe(Either.getOrThrow)).toEqual(
        new StageTimeout({ stage: "rls", timeoutMs: 60_000, message: "the rls stage did not finish within 60000ms" })
      )
      // The migrations were applied before: the journal keeps them.
      expect(rows.map((r) => [r.id, r.status])).toEqual([["a", "applied"]])
    }))
})
