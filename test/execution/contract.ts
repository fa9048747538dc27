import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { MigrationFailed } from "../../src/errors.js"
import { MigrationExecutor } from "../../src/execution/MigrationExecutor.js"
import { Journal } from "../../src/journal/Journal.js"
import { hintForFailure } from "../../src/logging/hints.js"
import type { Migration } from "../../src/migration.js"
import { migration } from "../journal/contract.js"

/** What a migration of the contract does: the live executor runs it as SQL, the memory one is told it. */
export type Behaviour = "succeeds" | { readonly fails: "42P01" } | { readonly sleepsMs: number }

export interface ExecutorHarness {
  readonly name: string
  /** An executor over a fresh, empty journal, for migrations that behave as given (by id). */
  readonly executor: (behaviours: Readonly<Record<string, Behaviour>>) => Layer.Layer<MigrationExecutor | Journal, unknown>
}

const sqlOf = (behaviour: Behaviour): string =>
  behaviour === "succeeds"
    ? "SELECT 1"
    : "fails" in behaviour
    ? "SELECT 1;\nINSERT INTO contract_missing_relation VALUES (1);"
    : `SELECT pg_sleep(${behaviour.sleepsMs / 1000})`

const options = { timeoutMs: 10_000, lockTimeoutMs: 1_000 }

const entries = Effect.flatMap(Journal, (journal) => journal.entries)
const byId = (id: string) => Effect.map(entries, (rows) => rows.find((entry) => entry.id === id))

/** The same assertions for every implementation of `MigrationExecutor`. */
export const executorContract = (harness: ExecutorHarness) =>
  describe(`MigrationExecutor contract: ${harness.name}`, () => {
    const test = (
      name: string,
      behaviours: Readonly<Record<string, Behaviour>>,
      body: (migrations: Record<string, Migration>) => Effect.Effect<void, unknown, MigrationExecutor | Journal>
    ) =>
      it.live(name, () => {
        const migrations = Object.fromEntries(
          Object.entries(behaviours).map(([id, behaviour]) => {
            const sql = sqlOf(behaviour)
            return [id, migration(id, { up: { _tag: "Sql", sql }, down: { _tag: "Sql", sql } })]
          })
        )
        return Effect.flatMap(Journal, (journal) => journal.ensure).pipe(
          Effect.zipRight(body(migrations)),
          Effect.provide(harness.executor(behaviours))
        )
      })

    test("apply runs the migration and records it applied, with the duration it returns", { ok: "succeeds" }, ({ ok }) =>
      Effect.gen(function*() {
        const durationMs = yield* Effect.flatMap(MigrationExecutor, (executor) => executor.apply(ok!, options))
        expect(durationMs).toBeGreaterThanOrEqual(0)
        expect(yield* byId(ok!.id)).toMatchObject({ status: "applied", durationMs, name: ok!.name, error: null })
      }))

    test("a failing migration fails with its SQLSTATE and hint, and writes no row", { bad: { fails: "42P01" } }, ({ bad }) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Effect.flatMap(MigrationExecutor, (executor) => executor.apply(bad!, options)))
        expect(error).toMatchObject({ _tag: "MigrationFailed", id: bad!.id, name: bad!.name, code: "42P01", hint: hintForFailure("42P01") })
        expect(yield* entries).toEqual([])
      }))

    test("an applied migration applied again is refused before it runs (AlreadyApplied); the journal keeps its row", { ok: "succeeds" }, ({ ok }) =>
      Effect.gen(function*() {
        const executor = yield* MigrationExecutor
        yield* executor.apply(ok!, options)
        const before = yield* byId(ok!.id)
        const error = yield* Effect.flip(executor.apply({ ...ok!, name: "Again", checksum: "other" }, options))
        expect(error).toMatchObject({ _tag: "AlreadyApplied", id: ok!.id })
        expect(error.message).toMatch(/already recorded as applied/)
        expect(yield* byId(ok!.id)).toEqual(before)
      }))

    test("a transaction: false migration is applied through a running row", { alone: "succeeds" }, ({ alone }) =>
      Effect.gen(function*() {
        const durationMs = yield* Effect.flatMap(MigrationExecutor, (executor) => executor.apply({ ...alone!, transaction: false }, options))
        expect(yield* byId(alone!.id)).toMatchObject({ status: "applied", durationMs, error: null })
      }))

    test("a running row left by an interrupted run: MigrationInterrupted naming mark-applied and reset; nothing runs, the row stays", { left: "succeeds" }, ({ left }) =>
      Effect.gen(function*() {
        const journal = yield* Journal
        const m = { ...left!, transaction: false }
        yield* journal.recordStarted(m)
        const before = yield* byId(m.id)
        const error = yield* Effect.flip(Effect.flatMap(MigrationExecutor, (executor) => executor.apply(m, options)))
        expect(error).toMatchObject({ _tag: "MigrationInterrupted", id: m.id, name: m.name })
        expect(error.message).toMatch(/was started at .* by a run that did not finish it/)
        expect("hint" in error ? error.hint : "").toContain(`effect-migrate mark-applied ${m.id}`)
        expect("hint" in error ? error.hint : "").toContain(`effect-migrate reset ${m.id}`)
        expect(yield* byId(m.id)).toEqual(before)
      }))

    test("a failed row is replaced when the migration applies", { ok: "succeeds" }, ({ ok }) =>
      Effect.gen(function*() {
        const journal = yield* Journal
        yield* journal.recordFailure(ok!, new MigrationFailed({ id: ok!.id, name: ok!.name, message: "old", durationMs: 1 }))
        yield* Effect.flatMap(MigrationExecutor, (executor) => executor.apply(ok!, options))
        expect(yield* byId(ok!.id)).toMatchObject({ status: "applied", error: null })
      }))

    test("a migration over its timeout fails with MigrationTimeout (57014) and writes no row", { slow: { sleepsMs: 5_000 } }, ({ slow }) =>
      Effect.gen(function*() {
        const executor = yield* MigrationExecutor
        const error = yield* Effect.flip(executor.apply(slow!, { timeoutMs: 300, lockTimeoutMs: 1_000 }))
        expect(error).toMatchObject({ _tag: "MigrationTimeout", id: slow!.id, code: "57014", timeoutMs: 300 })
        expect("durationMs" in error ? error.durationMs : 0).toBeGreaterThanOrEqual(300)
        expect(yield* entries).toEqual([])
      }))

    test("revert runs down and removes the row; without a down it fails and keeps the row", { ok: "succeeds", kept: "succeeds" }, ({ kept, ok }) =>
      Effect.gen(function*() {
        const executor = yield* MigrationExecutor
        yield* executor.apply(ok!, options)
        yield* executor.apply(kept!, options)
        expect(yield* executor.revert(ok!, options)).toBeGreaterThanOrEqual(0)
        expect(yield* byId(ok!.id)).toBeUndefined()
        const error = yield* Effect.flip(executor.revert({ ...kept!, down: undefined }, options))
        expect(error).toMatchObject({ _tag: "MigrationFailed", id: kept!.id, message: "has no down migration" })
        expect(yield* byId(kept!.id)).toMatchObject({ status: "applied" })
      }))
  })
