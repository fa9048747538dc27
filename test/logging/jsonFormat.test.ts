import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as path from "node:path"
import { hintForCode } from "../../src/logging/hints.js"
import { migrationDir } from "../support/migrationDir.js"
import { runMocked } from "../stages/support.js"

const migrations = [
  { id: "20240102000000_create_users", name: "Create Users", timestamp: 20240102000000, up: "SELECT 1" },
  { id: "20240104000000_add_user_preferences", name: "Add User Preferences", timestamp: 20240104000000, up: "SELECT 1" }
]

const parse = (lines: ReadonlyArray<string>) => lines.map((line) => JSON.parse(line) as Record<string, unknown>)

describe("JSON log format", () => {
  it.effect("one JSON object per line, with a top-level event and the migration's fields", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir({ "rls.sql": "SELECT 1; SELECT 2;" }))
      const { lines, result } = yield* runMocked({
        migrations,
        logFormat: "json",
        settings: { rlsFile: path.join(dir, "rls.sql") }
      })
      expect(Either.getOrThrow(result).success).toBe(true)
      const entries = parse(lines)
      expect(entries.map((entry) => entry.event)).toEqual([
        "db_migration_started",
        "db_migration_initializing",
        "db_migration_initialized",
        "db_migration_pending",
        "db_migration_applied",
        "db_migration_applied",
        "db_migration_results",
        "db_rls_started",
        "db_rls_file_found",
        "db_rls_executing",
        "db_rls_completed",
        "db_migration_completed"
      ])
      for (const entry of entries) {
        expect(entry).toMatchObject({ level: expect.any(String), message: expect.any(String) })
        expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      }
      expect(entries[4]).toEqual({
        timestamp: "1970-01-01T00:00:00.000Z",
        level: "INFO",
        event: "db_migration_applied",
        message: "✅ Migration Create Users: APPLIED (0ms)",
        migration_id: "20240102000000_create_users",
        migration_name: "Create Users",
        duration_ms: 0
      })
      expect(entries[6]).toMatchObject({ applied: 2, skipped: 0, failed: 0 })
      expect(entries[10]).toMatchObject({ succeeded: 2, failed: 0, duration_ms: 0, tenant_tables: 0, protected_tables: 0 })
      expect(entries[11]).toMatchObject({ level: "INFO", status: "success", applied: 2, duration_ms: 0 })
    }))

  it.effect("failures carry migration id and name, duration, SQLSTATE and hint", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir({ "rls.sql": "SELECT 1; SELECT broken;" }))
      const { lines } = yield* runMocked({
        migrations,
        logFormat: "json",
        settings: { rlsFile: path.join(dir, "rls.sql") },
        journal: { failing: { "20240104000000_add_user_preferences": "42P07" } },
        database: {
          failStatement: (statement) =>
            statement.includes("broken")
              ? { code: "42703", message: `column "broken" does not exist`, position: undefined, hint: hintForCode("42703") }
              : undefined
        }
      })
      const entries = parse(lines)
      // One line per event: the text format's detail lines are fields here.
      expect(lines.length).toBe(entries.length)
      expect(entries.find((entry) => entry.event === "db_migration_failed")).toEqual({
        timestamp: "1970-01-01T00:00:00.000Z",
        level: "ERROR",
        event: "db_migration_failed",
        message: "❌ Migration Add User Preferences: FAILED (0ms)",
        migration_id: "20240104000000_add_user_preferences",
        migration_name: "Add User Preferences",
        duration_ms: 0,
        error: "simulated failure (42P07)",
        code: "42P07",
        hint: hintForCode("42P07")
      })
      // Keys in a stable order, the ones an operator reads first leading.
      expect(Object.keys(entries.find((entry) => entry.event === "db_migration_failed")!)).toEqual([
        "timestamp",
        "level",
        "event",
        "message",
        "migration_id",
        "migration_name",
        "duration_ms",
        "code",
        "error",
        "hint"
      ])
      expect(entries.find((entry) => entry.event === "db_rls_statement_failed")).toMatchObject({
        level: "ERROR",
        message: "❌ Error executing SQL statement 2/2",
        statement_index: 2,
        statements: 2,
        statement_preview: "SELECT broken",
        code: "42703",
        hint: hintForCode("42703"),
        error: expect.stringContaining(`column "broken" does not exist`)
      })
      expect(entries.find((entry) => entry.event === "db_migration_completed")).toMatchObject({
        level: "ERROR",
        status: "failed",
        applied: 1,
        failed: 1,
        rls_problems: ["1 RLS statement failed"]
      })
      expect(entries.at(-1)).toMatchObject({
        event: "db_migration_failed_summary",
        migration_id: "20240104000000_add_user_preferences",
        migration_name: "Add User Preferences"
      })
    }))
})
