import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, Option, TestClock } from "effect"
import { MigrationLock } from "../../src/database/MigrationLock.js"
import { DuplicateMigrationId, MigrationLoadError, StageTimeout } from "../../src/errors.js"
import { fromDirectory } from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"
import { runMocked } from "./support.js"

const up = "SELECT 1"

describe("init stage", () => {
  it.effect("loads and counts the registered migrations", () =>
    Effect.gen(function*() {
      const { logs, result } = yield* runMocked({
        migrations: [{ id: "a", timestamp: 1, up }, { id: "b", timestamp: 2, up }]
      })
      expect(Either.isRight(result)).toBe(true)
      expect(logs.slice(0, 3)).toEqual([
        "[INFO] 🔄 Database migration process started",
        "[INFO] ⚙️ Initializing migration system",
        "[INFO] ✅ Migration system initialized in 0ms with 2 registered migrations"
      ])
    }))

  it.effect("a load error fails the run before any migration runs", () =>
    Effect.gen(function*() {
      const { logs, result, rows } = yield* runMocked({
        migrations: [{ id: "a", timestamp: 1, up }, { id: "b", timestamp: "tomorrow", up }]
      })
      const error = Either.flip(result).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(MigrationLoadError)
      expect(error.message).toBe(`migration "b": invalid timestamp "tomorrow": expected digits, e.g. 20240102000000`)
      expect(rows).toEqual([])
      expect(logs).toEqual([
        "[INFO] 🔄 Database migration process started",
        "[INFO] ⚙️ Initializing migration system",
        `[ERROR] ❌ Database migration aborted: migration "b": invalid timestamp "tomorrow": expected digits, e.g. 20240102000000`,
        "[ERROR]    ↳ hint: fix or remove the migration file named in the message; nothing was run"
      ])
    }))

  it.effect("duplicate ids fail the run before any migration runs", () =>
    Effect.gen(function*() {
      const { logs, result, rows } = yield* runMocked({
        migrations: [{ id: "a", timestamp: 1, up }, { id: "b", timestamp: 2, up }, { id: "a", timestamp: 3, up }]
      })
      const error = Either.flip(result).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(DuplicateMigrationId)
      expect(error).toMatchObject({ id: "a", sources: ["code", "code"] })
      expect(rows).toEqual([])
      expect(logs.some((line) => line.includes("Running pending migrations"))).toBe(false)
      expect(logs).toContain(`[ERROR] ❌ Database migration aborted: duplicate migration id "a" in code and code`)
    }))

  it.effect("times out when the lock never comes (TestClock)", () =>
    Effect.gen(function*() {
      const neverLocked = Layer.succeed(MigrationLock, MigrationLock.of({ acquire: Effect.never }))
      const fiber = yield* Effect.fork(
        runMocked({ migrations: [{ id: "a", timestamp: 1, up }], settings: { lockWaitMs: 1_000, connectTimeoutMs: 2_000 } }, {}, neverLocked)
      )
      // Budget: lock wait + connect timeout + 60 s for loading.
      yield* TestClock.adjust(62_999)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(1)
      const { result, rows } = yield* Fiber.join(fiber)
      const error = Either.flip(result).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(StageTimeout)
      expect(error).toMatchObject({ stage: "init", timeoutMs: 63_000 })
      expect(rows).toEqual([])
    }))

  it.effect("warns when the migrations directory holds no migrations", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir({ "notes.md": "nothing here" }))
      const { logs, result } = yield* runMocked({ migrations: [] }, {}, fromDirectory(dir))
      expect(Either.isRight(result)).toBe(true)
      expect(logs).toContain(
        `[WARN] ⚠️ No migrations found in ${dir}: check MIGRATIONS_DIR (--migrations-dir); files are named <timestamp>_<slug>.sql|.ts|.js`
      )
    }))

  it.effect("a missing migrations directory fails with a hint about MIGRATIONS_DIR", () =>
    Effect.gen(function*() {
      const { logs, result } = yield* runMocked({ migrations: [] }, {}, fromDirectory("/nonexistent/migrations"))
      expect(Either.flip(result).pipe(Either.getOrThrow)).toBeInstanceOf(MigrationLoadError)
      expect(logs.slice(-2)).toEqual([
        "[ERROR] ❌ Database migration aborted: cannot read migrations directory /nonexistent/migrations: no such file or directory",
        "[ERROR]    ↳ hint: point MIGRATIONS_DIR (--migrations-dir) at the directory of migrations; a relative path starts at the current directory"
      ])
    }))
})
