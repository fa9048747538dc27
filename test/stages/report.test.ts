import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { MigrationFailed, RlsStatementFailed } from "../../src/errors.js"
import type { RlsOutcome } from "../../src/report.js"
import { report } from "../../src/stages/report.js"
import { CapturingLogger } from "../../src/testing.js"

const rls = (failures: ReadonlyArray<RlsStatementFailed>): RlsOutcome => ({
  file: "/app/sql/enable-rls.sql",
  statements: 8,
  succeeded: 8 - failures.length,
  failed: failures.length,
  durationMs: 148,
  failures,
  unprotectedTables: [],
  tenantTables: 4,
  error: undefined
})

const messages = Effect.flatMap(CapturingLogger, (capture) => capture.messages)

describe("report stage", () => {
  it.effect("returns the run as a value and logs success with the total duration", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000 + 312)
      const value = yield* report({
        registered: 5,
        startedAt: 1_000,
        execution: {
          applied: [{ id: "a", name: "A", durationMs: 45 }, { id: "b", name: "B", durationMs: 5 }],
          failed: undefined,
          skipped: []
        },
        rls: rls([])
      })
      expect(value).toEqual({
        registered: 5,
        applied: [{ id: "a", name: "A", durationMs: 45 }, { id: "b", name: "B", durationMs: 5 }],
        skipped: [],
        failed: [],
        rls: rls([]),
        durationMs: 312,
        success: true,
        failure: undefined
      })
      expect(yield* messages).toEqual(["[INFO] ✅ Database migration completed successfully in 312ms"])
    }).pipe(Effect.provide(CapturingLogger.layer())))

  it.effect("a failed migration comes first in `failure`, and is named in the log", () =>
    Effect.gen(function*() {
      const migrationError = new MigrationFailed({
        id: "20240104000000_add_user_preferences",
        name: "Add User Preferences",
        message: "syntax error at or near \"TABL\"",
        code: "42601",
        durationMs: 3
      })
      const statementError = new RlsStatementFailed({
        index: 3,
        total: 8,
        failed: 1,
        message: "boom",
        statement: "SELECT 1"
      })
      const value = yield* report({
        registered: 5,
        startedAt: 0,
        execution: {
          applied: [{ id: "a", name: "A", durationMs: 1 }],
          failed: { id: migrationError.id, name: migrationError.name, durationMs: 3, error: migrationError },
          skipped: [{ id: "e", name: "E" }]
        },
        rls: rls([statementError])
      })
      expect(value.success).toBe(false)
      expect(value.failure).toBe(migrationError)
      expect(value.failed).toEqual([{ id: migrationError.id, name: migrationError.name, durationMs: 3, error: migrationError }])
      expect(value.skipped).toEqual([{ id: "e", name: "E" }])
      expect(yield* messages).toEqual([
        "[ERROR] ❌ Migration process completed with errors: 1 applied, 1 failed, 1 RLS statement failed",
        "[ERROR] ❌ Failed migration: Add User Preferences"
      ])
    }).pipe(Effect.provide(CapturingLogger.layer())))

  it.effect("an RLS failure alone fails the run", () =>
    Effect.gen(function*() {
      const statementError = new RlsStatementFailed({ index: 3, total: 8, failed: 2, message: "boom", statement: "SELECT 1" })
      const value = yield* report({
        registered: 1,
        startedAt: 0,
        execution: { applied: [], failed: undefined, skipped: [] },
        rls: rls([statementError, statementError])
      })
      expect(value).toMatchObject({ success: false, failure: statementError })
      expect(yield* messages).toEqual([
        "[ERROR] ❌ Migration process completed with errors: 0 applied, 0 failed, 2 RLS statements failed"
      ])
    }).pipe(Effect.provide(CapturingLogger.layer())))
})
