import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Journal, Migration, runMigrations } from "effect-migrate"
import { CapturingLogger, testLayer } from "effect-migrate/testing"

// The app's migrations, registered in code: no database, no files, virtual time.
const migrations = [
  Migration.make({ id: "001_create_organizations", timestamp: 1, up: "CREATE TABLE organizations (id uuid)" }),
  Migration.make({ id: "002_create_users", name: "Create Users", timestamp: 2, up: "CREATE TABLE users (id uuid)" }),
  Migration.make({ id: "003_add_index", timestamp: 3, up: "CREATE INDEX users_id ON users (id)" })
]

it.effect("the memory journal records what was applied, and the log says so", () =>
  Effect.gen(function*() {
    const report = yield* runMigrations()
    expect(report.success).toBe(true)
    expect(report.applied.map((migration) => migration.id)).toEqual(migrations.map((migration) => migration.id))

    const journal = yield* Journal
    const entries = yield* journal.entries
    expect(entries.map((entry) => [entry.id, entry.status])).toEqual([
      ["001_create_organizations", "applied"],
      ["002_create_users", "applied"],
      ["003_add_index", "applied"]
    ])

    const logs = yield* Effect.flatMap(CapturingLogger, (capture) => capture.messages)
    expect(logs).toContain("[INFO] ✅ Migration Create Users: APPLIED (0ms)")
    expect(logs).toContain("[INFO] 📊 Migration results: 3 applied, 0 skipped, 0 failed")
  }).pipe(Effect.provide(testLayer({ migrations }))))

it.effect("a failing migration stops the run: the rest are skipped and nothing after it is recorded", () =>
  Effect.gen(function*() {
    const report = yield* runMigrations()
    expect(report.success).toBe(false)
    expect(report.failed.map((migration) => migration.id)).toEqual(["002_create_users"])
    expect(report.skipped.map((migration) => migration.id)).toEqual(["003_add_index"])

    const entries = yield* Effect.flatMap(Journal, (journal) => journal.entries)
    expect(entries.map((entry) => [entry.id, entry.status])).toEqual([
      ["001_create_organizations", "applied"],
      ["002_create_users", "failed"]
    ])
    const logs = yield* Effect.flatMap(CapturingLogger, (capture) => capture.messages)
    expect(logs).toContain("[ERROR] ❌ Failed migration: Create Users")
  }).pipe(Effect.provide(testLayer({ migrations, journal: { failing: { "002_create_users": "42P07" } } }))))

it.effect("already-applied rows in the journal are not run again", () =>
  Effect.gen(function*() {
    const report = yield* runMigrations()
    expect(report.applied.map((migration) => migration.id)).toEqual(["003_add_index"])
  }).pipe(
    Effect.provide(testLayer({ migrations, journal: { entries: [{ id: "001_create_organizations" }, { id: "002_create_users" }] } }))
  ))
