import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { ConfigError, MigrationFailed, MigrationTimeout } from "../../src/errors.js"
import { AlreadyApplied, Journal, type JournalEntry } from "../../src/journal/Journal.js"
import type { Migration } from "../../src/migration.js"

/** A journal to hold to the contract: each call gives a fresh, empty one. */
export interface JournalHarness {
  readonly name: string
  readonly journal: () => Layer.Layer<Journal, unknown>
  /**
   * A fresh journal whose table already exists with these columns (`CREATE TABLE` column definitions), and what the
   * table holds afterwards (its columns and rows, to show it was left as it was; the memory journal has no table).
   */
  readonly over: (columns: ReadonlyArray<readonly [string, string]>) => Effect.Effect<{
    readonly journal: Layer.Layer<Journal, unknown>
    readonly table: string
    readonly snapshot: Effect.Effect<unknown, unknown>
  }>
}

/** Other tools' journals of the name `migrations`, as their sources create them. */
export const typeormColumns = [["id", "serial PRIMARY KEY"], ["timestamp", "bigint NOT NULL"], ["name", "varchar NOT NULL"]] as const
export const postgresMigrationsColumns = [
  ["id", "integer PRIMARY KEY"],
  ["name", "varchar(100) UNIQUE NOT NULL"],
  ["hash", "varchar(40) NOT NULL"],
  ["executed_at", "timestamp DEFAULT current_timestamp"]
] as const

export const migration = (id: string, fields: Partial<Migration> = {}): Migration => ({
  id,
  name: `Migration ${id}`,
  description: `what ${id} does`,
  timestamp: 20240101000000,
  up: { _tag: "Sql", sql: "SELECT 1" },
  down: { _tag: "Sql", sql: "SELECT 1" },
  transaction: true,
  timeoutMs: undefined,
  checksum: `sum-${id}`,
  source: "code",
  ...fields
})

const failure = (m: Migration) =>
  new MigrationFailed({ id: m.id, name: m.name, message: "boom", code: "42P01", statement: "SELECT x", durationMs: 7 })

/** A row without the time it was written, which each journal takes from its own clock. */
const row = ({ appliedAt, ...rest }: JournalEntry) => {
  expect(appliedAt).toBeInstanceOf(Date)
  return rest
}

const entries = Effect.flatMap(Journal, (journal) => journal.entries)
const byId = (id: string) => Effect.map(entries, (rows) => rows.find((entry) => entry.id === id))

/** The same assertions for every implementation of `Journal`. */
export const journalContract = (harness: JournalHarness) =>
  describe(`Journal contract: ${harness.name}`, () => {
    const test = (name: string, body: Effect.Effect<void, unknown, Journal>) =>
      it.live(name, () => Effect.provide(Effect.zipRight(Effect.flatMap(Journal, (j) => j.ensure), body), harness.journal()))

    test("starts empty; ensure may run again", Effect.gen(function*() {
      yield* Effect.flatMap(Journal, (journal) => journal.ensure)
      expect(yield* entries).toEqual([])
    }))

    test("recordApplied writes an applied row with the migration's fields and the duration", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_a", { name: `Quote ' back\\slash $effect_migrate$ \u{1F600}`, timestamp: 20240101000000 })
      yield* journal.recordApplied(m, 12.4)
      expect((yield* entries).map(row)).toEqual([{
        id: m.id,
        name: m.name,
        description: m.description,
        durationMs: 12,
        status: "applied",
        checksum: m.checksum,
        error: null,
        timestamp: 20240101000000
      }])
    }))

    test("recordFailure writes a failed row carrying the SQLSTATE, message and statement; another replaces it", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_b", { description: undefined, checksum: undefined })
      expect(yield* journal.recordFailure(m, failure(m))).toBe(true)
      expect(row((yield* byId(m.id))!)).toEqual({
        id: m.id,
        name: m.name,
        description: null,
        durationMs: 7,
        status: "failed",
        checksum: null,
        error: "42P01: boom\nstatement: SELECT x",
        timestamp: m.timestamp
      })
      const timeout = new MigrationTimeout({ id: m.id, name: m.name, timeoutMs: 5, message: "late", hint: "h", durationMs: 5 })
      expect(yield* journal.recordFailure(m, timeout)).toBe(true)
      expect(yield* byId(m.id)).toMatchObject({ status: "failed", error: "late", durationMs: 5 })
    }))

    test("a failed row is replaced by the applied one, its error cleared", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_c")
      yield* journal.recordFailure(m, failure(m))
      const renamed = { ...m, name: "Renamed", checksum: "sum-2" }
      yield* journal.recordApplied(renamed, 3)
      expect(yield* byId(m.id)).toMatchObject({ status: "applied", name: "Renamed", checksum: "sum-2", error: null, durationMs: 3 })
    }))

    test("an applied row is never overwritten: recordApplied and markApplied fail, recordFailure leaves it", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_d")
      yield* journal.recordApplied(m, 5)
      const before = yield* byId(m.id)
      const other = { ...m, name: "Other", description: "other", checksum: "other", timestamp: 1 }

      const again = yield* Effect.flip(journal.recordApplied(other, 99))
      expect(again).toBeInstanceOf(AlreadyApplied)
      expect(again).toMatchObject({ _tag: "AlreadyApplied", id: m.id })
      const marked = yield* Effect.flip(journal.markApplied(other))
      expect(marked).toBeInstanceOf(AlreadyApplied)
      expect(yield* journal.recordFailure(other, failure(other))).toBe(false)

      expect(yield* byId(m.id)).toEqual(before)
      expect(yield* entries).toHaveLength(1)
    }))

    test("markApplied writes an applied row with duration 0", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_e")
      yield* journal.markApplied(m)
      expect(yield* byId(m.id)).toMatchObject({ status: "applied", durationMs: 0, name: m.name, checksum: m.checksum })
    }))

    test("markFailed, remove and updateChecksum change an existing row and say whether there was one", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_f")
      expect(yield* journal.markFailed(m.id)).toBe(false)
      expect(yield* journal.updateChecksum(m.id, "x")).toBe(false)
      expect(yield* journal.remove(m.id)).toBe(false)
      yield* journal.recordApplied(m, 1)
      expect(yield* journal.updateChecksum(m.id, "new")).toBe(true)
      expect(yield* byId(m.id)).toMatchObject({ status: "applied", checksum: "new" })
      expect(yield* journal.updateChecksum(m.id, null)).toBe(true)
      expect(yield* byId(m.id)).toMatchObject({ checksum: null })
      expect(yield* journal.markFailed(m.id)).toBe(true)
      expect(yield* byId(m.id)).toMatchObject({ status: "failed" })
      expect(yield* journal.remove(m.id)).toBe(true)
      expect(yield* entries).toEqual([])
    }))
  
    test("recordStarted writes a running row (no duration), replacing a failed one; a running or applied row is kept and returned", Effect.gen(function*() {
      const journal = yield* Journal
      const m = migration("20240101000000_concurrently", { transaction: false })
      yield* journal.recordFailure(m, failure(m))
      expect(yield* journal.recordStarted(m)).toBeUndefined()
      expect(yield* journal.entry(m.id)).toMatchObject({ id: m.id, status: "running", durationMs: null, error: null, checksum: m.checksum })
      expect(yield* journal.recordStarted(m)).toMatchObject({ id: m.id, status: "running" })
      // Finishing it, or an operator's mark-applied, replaces the running row.
      yield* journal.recordApplied(m, 5)
      expect(yield* journal.entry(m.id)).toMatchObject({ status: "applied", durationMs: 5 })
      expect(yield* journal.recordStarted(m)).toMatchObject({ status: "applied" })
      expect(yield* journal.entry("20990101000000_none")).toBeUndefined()
      const other = migration("20240102000000_marked", { transaction: false })
      yield* journal.recordStarted(other)
      yield* journal.markApplied(other)
      expect(yield* journal.entry(other.id)).toMatchObject({ status: "applied", durationMs: 0 })
    }))

    test("markAppliedAll writes applied rows for all, replacing failed rows", Effect.gen(function*() {
      const journal = yield* Journal
      const [a, b, c] = ["20240101000000_g", "20240102000000_h", "20240103000000_i"].map((id, index) =>
        migration(id, { timestamp: 20240101000000 + index * 1_000_000 })
      )
      yield* journal.recordFailure(b!, failure(b!))
      yield* journal.markAppliedAll([a!, b!, c!])
      yield* journal.markAppliedAll([])
      const rows = (yield* entries).map(row).sort((x, y) => x.id.localeCompare(y.id))
      expect(rows).toEqual([a!, b!, c!].map((m) => ({
        id: m.id,
        name: m.name,
        description: m.description,
        durationMs: 0,
        status: "applied",
        checksum: m.checksum,
        error: null,
        timestamp: m.timestamp
      })))
    }))

    test("markAppliedAll writes nothing when any of them is applied already, and names it", Effect.gen(function*() {
      const journal = yield* Journal
      const kept = migration("20240101000000_j")
      yield* journal.markApplied(kept)
      const before = yield* entries
      const failed = yield* Effect.flip(journal.markAppliedAll([migration("20240101000000_k"), kept, migration("20240101000000_l")]))
      expect(failed).toBeInstanceOf(AlreadyApplied)
      expect(failed).toMatchObject({ id: kept.id })
      expect(yield* entries).toEqual(before)
    }))

    const refused = (columns: ReadonlyArray<readonly [string, string]>) =>
      it.live(`a table with columns ${columns.map(([name]) => name).join(", ")} is not ours: refused, named, left as it was`, () =>
        Effect.gen(function*() {
          const table = yield* harness.over(columns)
          const before = yield* table.snapshot
          for (const step of [Effect.flatMap(Journal, (j) => j.ensure), Effect.flatMap(Journal, (j) => j.entries)]) {
            const error = yield* Effect.flip(Effect.provide(step, table.journal))
            expect(error).toBeInstanceOf(ConfigError)
            expect(error).toMatchObject({ variable: "MIGRATION_TABLE" })
            expect((error as ConfigError).message).toContain(table.table)
            expect((error as ConfigError).message).toContain("MIGRATION_TABLE")
          }
          expect(yield* table.snapshot).toEqual(before)
        }))

    refused(typeormColumns)
    refused(postgresMigrationsColumns)
    refused([["id", "text PRIMARY KEY"], ["name", "text"], ["email", "text"]])

    it.live("an older journal of ours (id, name, applied_at) is upgraded and used", () =>
      Effect.gen(function*() {
        const table = yield* harness.over([["id", "text PRIMARY KEY"], ["name", "text NOT NULL"], ["applied_at", "timestamptz DEFAULT now()"]])
        yield* Effect.provide(
          Effect.gen(function*() {
            const journal = yield* Journal
            yield* journal.ensure
            expect(yield* journal.entries).toEqual([])
            yield* journal.markAppliedAll([migration("20240101000000_m")])
            expect(yield* journal.entries).toMatchObject([{ id: "20240101000000_m", status: "applied", checksum: "sum-20240101000000_m" }])
          }),
          table.journal
        )
      }))
  })
