import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import { MigrationFailed, MigrationNotFound, MigrationTimeout } from "../../src/errors.js"
import { runMocked } from "./support.js"

const up = "SELECT 1"
const migrations = [
  { id: "a", name: "Create A", timestamp: 1, up },
  { id: "b", name: "Create B", timestamp: 2, up },
  { id: "c", name: "Create C", timestamp: 3, up },
  { id: "d", name: "Create D", timestamp: 3, up }
]

describe("execute stage", () => {
  it.effect("applies pending migrations in timestamp order, then id", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runMocked({ migrations: [migrations[3]!, migrations[1]!, migrations[2]!, migrations[0]!] })
      const report = Either.getOrThrow(result)
      expect(report.applied.map((m) => m.id)).toEqual(["a", "b", "c", "d"])
      expect(rows.map((r) => [r.id, r.status])).toEqual([["a", "applied"], ["b", "applied"], ["c", "applied"], ["d", "applied"]])
    }))

  it.effect("stops at the first failure: it is recorded failed, the rest are skipped", () =>
    Effect.gen(function*() {
      const { logs, result, rows } = yield* runMocked({ migrations, journal: { failing: { b: "42P07" } } })
      const report = Either.getOrThrow(result)
      expect(report.success).toBe(false)
      expect(report.applied.map((m) => m.id)).toEqual(["a"])
      expect(report.failed.map((m) => m.id)).toEqual(["b"])
      expect(report.skipped.map((m) => m.id)).toEqual(["c", "d"])
      expect(report.failure).toBeInstanceOf(MigrationFailed)
      expect(report.failure).toMatchObject({ id: "b", code: "42P07" })
      expect(rows.map((r) => [r.id, r.status, r.error])).toEqual([
        ["a", "applied", null],
        // The row's error text as the live journal writes it: SQLSTATE, then the message.
        ["b", "failed", "42P07: simulated failure (42P07)"]
      ])
      expect(logs).toContain("[ERROR] ❌ Migration Create B: FAILED (0ms)")
      expect(logs).toContain(
        "[ERROR]    ↳ 42P07 simulated failure (42P07) (hint: relation already exists: make the migration idempotent with IF NOT EXISTS (or check whether it was applied by hand))"
      )
      expect(logs).toContain("[INFO] 📊 Migration results: 1 applied, 2 skipped, 1 failed")
    }))

  it.effect("the failed migration runs again on the next run", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runMocked({
        migrations,
        journal: { entries: [{ id: "a", status: "applied" }, { id: "b", status: "failed", error: "boom" }] }
      })
      expect(Either.getOrThrow(result).applied.map((m) => m.id)).toEqual(["b", "c", "d"])
      expect(rows.every((r) => r.status === "applied" && r.error === null)).toBe(true)
    }))

  it.effect("times out a migration after MIGRATION_TIMEOUT (TestClock)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(runMocked({
        migrations,
        settings: { timeoutMs: 1_000 },
        journal: { durationMs: (m) => (m.id === "b" ? 60_000 : 10) }
      }))
      yield* TestClock.adjust(10)
      yield* TestClock.adjust(999)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(1)
      const { logs, result, rows } = yield* Fiber.join(fiber)
      const report = Either.getOrThrow(result)
      expect(report.applied).toEqual([{ id: "a", name: "Create A", durationMs: 10 }])
      expect(report.failure).toBeInstanceOf(MigrationTimeout)
      expect(report.failure).toMatchObject({ id: "b", timeoutMs: 1_000, code: "57014" })
      expect(report.skipped.map((m) => m.id)).toEqual(["c", "d"])
      expect(rows.find((r) => r.id === "b")).toMatchObject({
        status: "failed",
        error: "57014: timed out after 1000ms; the query was cancelled and the transaction rolled back"
      })
      expect(logs).toContain("[ERROR] ❌ Migration Create B: FAILED (1000ms)")
      expect(logs.find((line) => line.includes("↳"))).toMatch(/hint: .*raise MIGRATION_TIMEOUT/)
    }))

  it.effect("a migration's own timeout beats MIGRATION_TIMEOUT (TestClock)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(runMocked({
        migrations: [{ id: "slow", timestamp: 1, up, timeout: 120_000 }],
        settings: { timeoutMs: 1_000 },
        journal: { durationMs: 60_000 }
      }))
      yield* TestClock.adjust(60_000)
      const { result } = yield* Fiber.join(fiber)
      expect(Either.getOrThrow(result).applied).toEqual([{ id: "slow", name: "Slow", durationMs: 60_000 }])
    }))

  it.effect("retries a migration that hit lock_timeout (55P03), then fails (TestClock)", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(runMocked({
        migrations,
        settings: { lockRetries: 2 },
        journal: { failing: { a: "55P03" } }
      }))
      yield* TestClock.adjust(500)
      yield* TestClock.adjust(1_000)
      const { logs, result } = yield* Fiber.join(fiber)
      expect(logs.filter((line) => line.startsWith("[WARN]"))).toEqual([
        "[WARN] ⏳ Migration Create A could not get a table lock in time; retry 1/2 in 500ms",
        "[WARN] ⏳ Migration Create A could not get a table lock in time; retry 2/2 in 1000ms"
      ])
      expect(Either.getOrThrow(result).failure).toMatchObject({ id: "a", code: "55P03" })
    }))

  it.effect("--migration runs only that one; the other pending ones count as skipped", () =>
    Effect.gen(function*() {
      const { logs, result, rows } = yield* runMocked({ migrations }, { selection: { only: "c" } })
      const report = Either.getOrThrow(result)
      expect(report.applied.map((m) => m.id)).toEqual(["c"])
      expect(report.skipped.map((m) => m.id)).toEqual(["a", "b", "d"])
      expect(report.success).toBe(true)
      expect(rows.map((r) => r.id)).toEqual(["c"])
      expect(logs).toContain("[INFO] 📊 Migration results: 1 applied, 3 skipped, 0 failed")
    }))

  it.effect("--to runs up to and including that one", () =>
    Effect.gen(function*() {
      const { result } = yield* runMocked({ migrations }, { selection: { to: "c" } })
      const report = Either.getOrThrow(result)
      expect(report.applied.map((m) => m.id)).toEqual(["a", "b", "c"])
      expect(report.skipped.map((m) => m.id)).toEqual(["d"])
    }))

  it.effect("an unknown --migration id fails before anything runs", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runMocked({ migrations }, { selection: { only: "nope" } })
      const error = Either.flip(result).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(MigrationNotFound)
      expect(error.message).toBe("--migration=nope: no registered migration has this id")
      expect(rows).toEqual([])
    }))

  it.effect("--migration of an applied migration runs nothing", () =>
    Effect.gen(function*() {
      const { result } = yield* runMocked({ migrations, journal: { entries: [{ id: "b", status: "applied" }] } }, {
        selection: { only: "b" }
      })
      const report = Either.getOrThrow(result)
      expect(report.applied).toEqual([])
      expect(report.skipped.map((m) => m.id)).toEqual(["a", "c", "d"])
    }))
})
