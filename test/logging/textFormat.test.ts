import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import * as path from "node:path"
import * as MigrationLogger from "../../src/logging/MigrationLogger.js"
import { hintForCode } from "../../src/logging/hints.js"
import * as Events from "../../src/logging/events.js"
import { migrationDir } from "../support/migrationDir.js"
import { runMocked } from "../stages/support.js"

const eightStatements = Array.from({ length: 8 }, (_, i) => `ALTER TABLE t${i} ENABLE ROW LEVEL SECURITY;`).join("\n")

const migrations = [
  { id: "20240102000000_create_users", name: "Create Users", timestamp: 20240102000000, up: "SELECT 1" },
  { id: "20240104000000_add_user_preferences", name: "Add User Preferences", timestamp: 20240104000000, up: "SELECT 1" }
]

const durations = { "20240102000000_create_users": 5, "20240104000000_add_user_preferences": 45 } as Record<string, number>

const rlsFile = Effect.promise(() => migrationDir({ "enable-rls.sql": eightStatements })).pipe(
  Effect.map((dir) => path.join(dir, "enable-rls.sql"))
)

describe("text log format", () => {
  it.effect("a successful run logs the DESIGN.md lines, timestamps included", () =>
    Effect.gen(function*() {
      const file = yield* rlsFile
      yield* TestClock.setTime(Date.parse("2023-06-15T12:34:56.789Z"))
      const fiber = yield* Effect.fork(runMocked({
        migrations,
        settings: { rlsFile: file },
        journal: { durationMs: (m) => durations[m.id]! }
      }))
      yield* TestClock.adjust(50)
      const { lines, result } = yield* Fiber.join(fiber)
      expect(Either.getOrThrow(result).success).toBe(true)
      expect(lines).toEqual([
        "[2023-06-15T12:34:56.789Z] [INFO] 🔄 Database migration process started",
        "[2023-06-15T12:34:56.789Z] [INFO] ⚙️ Initializing migration system",
        "[2023-06-15T12:34:56.789Z] [INFO] ✅ Migration system initialized in 0ms with 2 registered migrations",
        "[2023-06-15T12:34:56.789Z] [INFO] ⏳ Running pending migrations...",
        "[2023-06-15T12:34:56.794Z] [INFO] ✅ Migration Create Users: APPLIED (5ms)",
        "[2023-06-15T12:34:56.839Z] [INFO] ✅ Migration Add User Preferences: APPLIED (45ms)",
        "[2023-06-15T12:34:56.839Z] [INFO] 📊 Migration results: 2 applied, 0 skipped, 0 failed",
        "[2023-06-15T12:34:56.839Z] [INFO] 🔒 Running Row Level Security (RLS) migration",
        "[2023-06-15T12:34:56.839Z] [INFO] 📄 Found RLS migration SQL file",
        "[2023-06-15T12:34:56.839Z] [INFO] 📝 Executing 8 RLS SQL statements",
        "[2023-06-15T12:34:56.839Z] [INFO] ✅ RLS migration completed in 0ms (8 succeeded, 0 failed)",
        "[2023-06-15T12:34:56.839Z] [INFO] ✅ Database migration completed successfully in 50ms"
      ])
    }))

  it.effect("a failing run logs the DESIGN.md error lines, each failure with SQLSTATE, error and hint", () =>
    Effect.gen(function*() {
      const file = yield* rlsFile
      const { logs, result } = yield* runMocked({
        migrations: [...migrations, { id: "20240105000000_api_keys", name: "API Keys", timestamp: 20240105000000, up: "SELECT 1" }],
        settings: { rlsFile: file },
        journal: { failing: { "20240104000000_add_user_preferences": "42601" } },
        database: {
          failStatement: (statement) =>
            statement.includes("t2 ")
              ? { code: "42P01", message: `relation "t2" does not exist`, position: undefined, hint: hintForCode("42P01") }
              : undefined
        }
      })
      expect(Either.getOrThrow(result).success).toBe(false)
      expect(logs).toEqual([
        "[INFO] 🔄 Database migration process started",
        "[INFO] ⚙️ Initializing migration system",
        "[INFO] ✅ Migration system initialized in 0ms with 3 registered migrations",
        "[INFO] ⏳ Running pending migrations...",
        "[INFO] ✅ Migration Create Users: APPLIED (0ms)",
        "[ERROR] ❌ Migration Add User Preferences: FAILED (0ms)",
        `[ERROR]    ↳ 42601 simulated failure (42601) (hint: ${hintForCode("42601")})`,
        "[INFO] 📊 Migration results: 1 applied, 1 skipped, 1 failed",
        "[INFO] 🔒 Running Row Level Security (RLS) migration",
        "[INFO] 📄 Found RLS migration SQL file",
        "[INFO] 📝 Executing 8 RLS SQL statements",
        "[ERROR] ❌ Error executing SQL statement 3/8",
        `[ERROR]    ↳ 42P01 ${file}:3: relation "t2" does not exist (hint: ${hintForCode("42P01")})`,
        "[ERROR]    ↳ statement: ALTER TABLE t2 ENABLE ROW LEVEL SECURITY",
        "[ERROR] ❌ RLS migration completed in 0ms (7 succeeded, 1 failed)",
        "[ERROR] ❌ Migration process completed with errors: 1 applied, 1 failed, 1 RLS statement failed",
        "[ERROR] ❌ Failed migration: Add User Preferences"
      ])
    }))

  it.effect("every failure event's detail line carries a hint", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const failure = { message: "something odd" }
      const events = [
        Events.failed({ id: "a", name: "A" }, 1, failure),
        Events.failed({ id: "a", name: "A" }, 1, { message: "division by zero", code: "22012" }),
        Events.rlsStatementFailed(1, 2, "SELECT 1", failure),
        Events.aborted("LockTimeout", failure),
        Events.aborted("DatabaseUnavailable", { message: "no", code: "28P01" }),
        Events.aborted("SomethingElse", failure)
      ]
      for (const event of events) {
        lines.length = 0
        yield* event.pipe(Effect.provide(MigrationLogger.layer("text", (line) => void lines.push(line))))
        const detail = lines.find((line) => line.includes("↳") && !line.includes("statement:"))
        expect(detail).toMatch(/hint: \S+/)
      }
    }))
})
