import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as ExecutorLive from "../../src/execution/ExecutorLive.js"
import { MigrationExecutor } from "../../src/execution/MigrationExecutor.js"
import { appliedByAnotherRunner } from "../../src/execution/failure.js"
import { Journal } from "../../src/journal/Journal.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("exactly_once")

const query = <Row = Record<string, unknown>>(text: string) => Effect.promise(() => db.current.query<Row>(text))

/** The executor as a runner that lost the migration lock would use it: with a plan read before another runner applied. */
const liveExecutor = () =>
  ExecutorLive.layer.pipe(
    Layer.provideMerge(JournalLive.layer),
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none" }))
  )

describe("a migration is applied once, even without the lock", () => {
  it.live("a second apply of an applied migration is refused before it runs, and leaves the applied row alone", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() =>
        migrationDir({ "20240101000000_count.sql": "CREATE TABLE IF NOT EXISTS runs (n int);\nINSERT INTO runs VALUES (1);" })
      )
      const [migration] = yield* MigrationSource.loadDirectory(dir)
      const journal = yield* Journal
      const executor = yield* MigrationExecutor
      const options = { timeoutMs: 10_000, lockTimeoutMs: 1_000 }
      yield* journal.ensure
      yield* executor.apply(migration!, options)
      const before = yield* query("SELECT applied_at, duration FROM migrations")

      const second = yield* Effect.flip(executor.apply(migration!, options))
      expect(second._tag).toBe("AlreadyApplied")
      expect(second.message).toMatch(/already recorded as applied/)
      expect(yield* query("SELECT count(*)::int AS n FROM runs")).toEqual([{ n: 1 }])
      expect(yield* query("SELECT applied_at, duration FROM migrations")).toEqual(before)

      // Recording a failure must not turn the applied row into a failed one.
      yield* journal.recordFailure(migration!, appliedByAnotherRunner(migration!, 0))
      expect(yield* query("SELECT status, error FROM migrations")).toEqual([{ status: "applied", error: null }])
    }).pipe(Effect.provide(liveExecutor())))
})
