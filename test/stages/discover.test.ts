import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, Option, TestClock } from "effect"
import { ChecksumMismatch, StageTimeout } from "../../src/errors.js"
import { Journal, type JournalEntry } from "../../src/journal/Journal.js"
import * as JournalMemory from "../../src/journal/JournalMemory.js"
import type { Migration } from "../../src/migration.js"
import { runMigrations } from "../../src/program.js"
import { appliedAsRecorded, plan } from "../../src/stages/discover.js"
import { testLayer } from "../../src/testing.js"
import { journalEntry, sqlMigration } from "../support/fixtures.js"
import { runMocked } from "./support.js"

const migration = (id: string, timestamp: number, checksum?: string): Migration =>
  sqlMigration({ id, name: id.toUpperCase(), timestamp, checksum })

const entry = (id: string, status: string, checksum: string | null = null): JournalEntry =>
  journalEntry({ id, status, checksum, error: status === "failed" ? "boom" : null })

describe("plan (pure)", () => {
  const a = migration("a", 1)
  const b = migration("b", 2)
  const c = migration("c", 3)

  it("pending = registered and not applied, in the registered (timestamp, id) order", () => {
    const result = plan([a, b, c], [entry("b", "applied")])
    expect(result.pending.map((m) => m.id)).toEqual(["a", "c"])
    expect(result.outOfOrder.map((m) => m.id)).toEqual(["a"])
  })

  it("a failed row, or any status other than applied, is pending", () => {
    const result = plan([a, b, c], [entry("a", "applied"), entry("b", "failed"), entry("c", "running")])
    expect(result.pending.map((m) => m.id)).toEqual(["b", "c"])
    expect(result.outOfOrder).toEqual([])
  })

  it("finds out-of-order pending migrations, changed checksums and rows with no migration", () => {
    const changed = migration("b", 2, "new")
    const result = plan([a, changed, c], [entry("b", "applied", "old"), entry("c", "applied"), entry("gone", "applied")])
    expect(result.pending.map((m) => m.id)).toEqual(["a"])
    expect(result.outOfOrder.map((m) => m.id)).toEqual(["a"])
    expect(result.changed).toEqual([{ migration: changed, recorded: "old", current: "new" }])
    expect(result.missing.map((row) => row.id)).toEqual(["gone"])
  })
})

describe("appliedAsRecorded (pure): every migration applied with the checksum its file has", () => {
  const a = migration("a", 1, "sa")
  const b = migration("b", 2, "sb")
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<Migration>, ReadonlyArray<JournalEntry>, boolean]> = [
    ["all applied with their checksums", [a, b], [entry("a", "applied", "sa"), entry("b", "applied", "sb")], true],
    ["rows of migrations no longer registered do not matter", [a], [entry("a", "applied", "sa"), entry("gone", "applied")], true],
    ["no migrations at all", [], [entry("gone", "applied")], true],
    ["a row with no checksum: nothing was compared with it", [a, b], [entry("a", "applied"), entry("b", "applied", "sb")], false],
    ["one without a row", [a, b], [entry("a", "applied", "sa")], false],
    ["one failed", [a, b], [entry("a", "applied", "sa"), entry("b", "failed", "sb")], false],
    ["one changed since it was applied", [a, b], [entry("a", "applied", "sa"), entry("b", "applied", "old")], false]
  ]
  for (const [title, migrations, rows, expected] of cases) {
    it(title, () => {
      expect(appliedAsRecorded(migrations, rows)).toBe(expected)
      // When it holds, plan finds nothing to run and nothing to warn of.
      const result = plan(migrations, rows)
      if (expected) expect(result.pending.length + result.changed.length).toBe(0)
    })
  }
})

describe("discover stage", () => {
  const up = "SELECT 1"
  const migrations = [{ id: "a", timestamp: 1, up }, { id: "b", timestamp: 2, up }, { id: "c", timestamp: 3, up }]

  it.effect("runs only what is pending: a failed row is run again", () =>
    Effect.gen(function*() {
      const { result, rows } = yield* runMocked({
        migrations,
        journal: { entries: [{ id: "a", status: "applied" }, { id: "b", status: "failed", error: "boom" }] }
      })
      const report = Either.getOrThrow(result)
      expect(report.applied.map((m) => m.id)).toEqual(["b", "c"])
      expect(rows.map((r) => [r.id, r.status, r.error])).toEqual([["a", "applied", null], ["b", "applied", null], ["c", "applied", null]])
    }))

  it.effect("applies a pending migration older than the newest applied one, with a warning", () =>
    Effect.gen(function*() {
      const { logs, result } = yield* runMocked({
        migrations,
        journal: { entries: [{ id: "a", status: "applied" }, { id: "c", status: "applied" }] }
      })
      expect(Either.getOrThrow(result).applied.map((m) => m.id)).toEqual(["b"])
      expect(logs).toContain("[WARN] ⚠️ Migration B is older than the newest applied migration (c); applying it anyway")
    }))

  it.effect("warns about an applied migration whose SQL changed; fails in strict mode", () =>
    Effect.gen(function*() {
      const options = { migrations, journal: { entries: [{ id: "a", status: "applied", checksum: "0123456789abcdef" }] } }
      const warned = yield* runMocked(options)
      expect(Either.isRight(warned.result)).toBe(true)
      expect(warned.logs.find((line) => line.startsWith("[WARN]"))).toMatch(
        /^\[WARN\] ⚠️ Migration A \(a\) changed since it was applied: checksum 0123456789ab recorded, [0-9a-f]{12} on disk$/
      )
      const strict = yield* runMocked({ ...options, settings: { validate: "strict" } })
      const error = Either.flip(strict.result).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(ChecksumMismatch)
      expect(error).toMatchObject({ ids: ["a"] })
      expect(strict.rows.map((r) => r.id)).toEqual(["a"])
    }))

  it.effect("times out when the journal never answers (TestClock)", () =>
    Effect.gen(function*() {
      const hangingJournal = Layer.effect(
        Journal,
        Effect.map(JournalMemory.make(), (journal) => Journal.of({ ...journal, entries: Effect.never }))
      )
      const fiber = yield* Effect.fork(
        Effect.flip(runMigrations()).pipe(Effect.provide(Layer.merge(testLayer({ migrations }), hangingJournal)))
      )
      yield* TestClock.adjust(29_999)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(1)
      const error = yield* Fiber.join(fiber)
      expect(error).toBeInstanceOf(StageTimeout)
      expect(error).toMatchObject({ stage: "discover", timeoutMs: 30_000, message: "the discover stage did not finish within 30000ms" })
    }))
})
