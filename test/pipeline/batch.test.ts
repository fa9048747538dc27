import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { migrationDir } from "../support/migrationDir.js"
import type { TestDatabase } from "../support/testDatabase.js"
import { reportOf, runLive, withFreshDatabase } from "./support.js"

/**
 * Consecutive SQL migrations share round trips (groups of 1, 2, 4, ... while they are fast; src/execution/batch.ts).
 * These tests put the failure in the middle of a group and check that the account is exact: what committed, what
 * failed (run again alone, for its exact error), what was skipped.
 */

const files = (count: number, special: Record<number, string> = {}) => {
  const result: Record<string, string> = {}
  for (let i = 1; i <= count; i++) {
    const id = `2024010100${String(i).padStart(4, "0")}_step_${i}`
    result[`${id}.sql`] = special[i] ?? `CREATE TABLE step_${i} (id int);\nINSERT INTO step_${i} VALUES (${i});`
  }
  return result
}

const journal = (db: TestDatabase) =>
  Effect.promise(() => db.query<{ id: string; status: string }>("SELECT id, status FROM migrations ORDER BY id")).pipe(
    Effect.map((rows) => rows.map((row) => `${row.id.replace(/^\d+_/, "")}:${row.status}`))
  )

const tables = (db: TestDatabase) =>
  Effect.promise(() =>
    db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'step%' ORDER BY tablename")
  ).pipe(Effect.map((rows) => rows.map((row) => row.name).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))))

describe("SQL migrations sent in groups", () => {
  it.live("a runtime error in the middle of a group: the ones before commit, it rolls back, the rest are skipped", () =>
    withFreshDatabase("batch_runtime", (db) =>
      Effect.gen(function*() {
        // Groups: [1] [2 3] [4 5 6 7] [8 ...]: step 6 fails inside the third group.
        const dir = yield* Effect.promise(() =>
          migrationDir(files(10, { 6: "CREATE TABLE step_6 (id int);\nINSERT INTO missing_table VALUES (1);" }))
        )
        const { result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4", "Step 5"])
        expect(report.failed.map((m) => m.name)).toEqual(["Step 6"])
        expect(report.failure).toMatchObject({ code: "42P01", statement: "INSERT INTO missing_table VALUES (1)" })
        expect(report.skipped.map((m) => m.name)).toEqual(["Step 7", "Step 8", "Step 9", "Step 10"])
        expect(yield* tables(db)).toEqual(["step_1", "step_2", "step_3", "step_4", "step_5"])
        expect(yield* journal(db)).toEqual([
          "step_1:applied",
          "step_2:applied",
          "step_3:applied",
          "step_4:applied",
          "step_5:applied",
          "step_6:failed"
        ])
        // Fixed, the rest applies.
        const again = yield* runLive({
          databaseUrl: db.url,
          migrationsDir: yield* Effect.promise(() => migrationDir(files(10))),
          rlsFile: "none"
        })
        expect(reportOf(again.result).applied.map((m) => m.name)).toEqual(["Step 6", "Step 7", "Step 8", "Step 9", "Step 10"])
        expect((yield* tables(db)).length).toBe(10)
      })))

  it.live("a syntax error later in a group stops nothing before it: those apply, it fails with its own position", () =>
    withFreshDatabase("batch_syntax", (db) =>
      Effect.gen(function*() {
        // PostgreSQL parses a whole round trip before running it: step 7's syntax error must not fail steps 4 to 6.
        const dir = yield* Effect.promise(() => migrationDir(files(8, { 7: "CREATE TABLE step_7 (id int,, v text);" })))
        const { result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4", "Step 5", "Step 6"])
        expect(report.failed.map((m) => m.name)).toEqual(["Step 7"])
        expect(report.failure).toMatchObject({ code: "42601", statement: "CREATE TABLE step_7 (id int,, v text)" })
        expect(report.skipped.map((m) => m.name)).toEqual(["Step 8"])
        expect((yield* journal(db)).at(-1)).toBe("step_7:failed")
      })))

  it.live("a statement timeout inside a group is that migration's MigrationTimeout, and nothing keeps running", () =>
    withFreshDatabase("batch_timeout", (db) =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(() => migrationDir(files(6, { 5: "CREATE TABLE step_5 (id int);\nSELECT pg_sleep(30);" })))
        const { result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none", timeoutMs: 500 })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4"])
        expect(report.failure).toMatchObject({ _tag: "MigrationTimeout", id: expect.stringContaining("step_5") })
        expect(yield* tables(db)).toEqual(["step_1", "step_2", "step_3", "step_4"])
        const sleeping = yield* Effect.promise(() =>
          db.query(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state <> 'idle' AND pid <> pg_backend_pid()"
          )
        )
        expect(sleeping).toEqual([])
      })))

  it.live("on PGlite too, whose pool has one connection: the journal is read after the group's connection is back", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() =>
        migrationDir(files(8, { 6: "CREATE TABLE step_6 (id int);\nINSERT INTO missing_table VALUES (1);" }))
      )
      const { result } = yield* runLive({ databaseUrl: "pglite:memory", migrationsDir: dir, rlsFile: "none" })
      const report = reportOf(result)
      expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4", "Step 5"])
      expect(report.failed.map((m) => m.name)).toEqual(["Step 6"])
      expect(report.skipped.map((m) => m.name)).toEqual(["Step 7", "Step 8"])
    }), 60_000)

  it.live("characters outside the BMP before a later syntax error do not shift the blame onto an earlier migration", () =>
    withFreshDatabase("batch_emoji", (db) =>
      Effect.gen(function*() {
        const emoji = "\u{1F600}".repeat(20)
        const dir = yield* Effect.promise(() =>
          migrationDir(files(5, {
            4: `-- seed ${emoji}\nCREATE TABLE step_4 (v text);\nINSERT INTO step_4 VALUES ('${emoji}');`,
            5: "CREATE TABLE step_5 (id int);\nSELEC 1;"
          }))
        )
        const { result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none" })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4"])
        expect(report.failed.map((m) => m.name)).toEqual(["Step 5"])
        expect(report.failure).toMatchObject({ code: "42601", statement: "SELEC 1" })
      })))

  it.live("each migration of a group records its own duration, and one that overruns its timeout as a whole fails", () =>
    withFreshDatabase("batch_durations", (db) =>
      Effect.gen(function*() {
        // Groups: [1] [2 3] [4 5 6 7]. Step 6: two statements, each under the 1 s statement_timeout, together over
        // the migration's timeout.
        const dir = yield* Effect.promise(() =>
          migrationDir(files(7, {
            4: "CREATE TABLE step_4 (id int);\nSELECT pg_sleep(0.3);",
            6: "CREATE TABLE step_6 (id int);\nSELECT pg_sleep(0.6);\nSELECT pg_sleep(0.6);"
          }))
        )
        const { result } = yield* runLive({ databaseUrl: db.url, migrationsDir: dir, rlsFile: "none", timeoutMs: 1_000 })
        const report = reportOf(result)
        expect(report.applied.map((m) => m.name)).toEqual(["Step 1", "Step 2", "Step 3", "Step 4", "Step 5"])
        expect(report.failure).toMatchObject({ _tag: "MigrationTimeout", id: expect.stringContaining("step_6") })
        expect(report.skipped.map((m) => m.name)).toEqual(["Step 7"])
        expect(yield* tables(db)).toEqual(["step_1", "step_2", "step_3", "step_4", "step_5"])
        const rows = yield* Effect.promise(() =>
          db.query<{ id: string; duration: number }>("SELECT id, duration FROM migrations WHERE status = 'applied' ORDER BY id")
        )
        // The durations reported are the ones recorded; step 4's covers its own pg_sleep(0.3) (a lower bound the server
        // guarantees, whatever the machine's load).
        expect(rows).toEqual(report.applied.map((m) => ({ id: m.id, duration: m.durationMs })))
        expect(rows[3]!.duration).toBeGreaterThanOrEqual(300)
      })))
})
