import { SqlClient } from "@effect/sql"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runMigrations } from "effect-migrate"
import { PgliteTest, testLayer } from "effect-migrate/testing"
import { migrations } from "../src/bundled.js"

it.effect("the bundled migrations run against the memory journal", () =>
  Effect.gen(function*() {
    const report = yield* runMigrations()
    expect(report.applied.map((migration) => migration.id)).toEqual(migrations.map((migration) => migration.id))
  }).pipe(Effect.provide(testLayer({ migrations }))))

it.layer(PgliteTest.layer({ migrationsDir: "migrations" }), { timeout: "120 seconds" })("on PGlite", (it) => {
  it.effect("the migrations directory is applied to a real PostgreSQL", () =>
    Effect.gen(function*() {
      const { report } = yield* PgliteTest
      expect(report.success).toBe(true)
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO notes (body) VALUES ('hello')`
      const rows = yield* sql<{ readonly body: string }>`SELECT body FROM notes`
      expect(rows).toEqual([{ body: "hello" }])
    }))
})
