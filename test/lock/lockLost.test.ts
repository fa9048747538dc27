import { describe, expect, it } from "vitest"
import { runCli, startCli, useCli, useTempDir } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("lock_lost")
const dirs = useTempDir("lock-lost")
useCli()

const lockHolder = async () => {
  const rows = await db.current.query<{ pid: number }>(
    `SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'effect-migrate lock since%'
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`
  )
  return rows[0]?.pid
}

describe("the session lock is never silently lost", () => {
  it("pg_terminate_backend on the lock's connection: the running migration is interrupted and rolled back, the run ends with LockLost (exit 3); the waiting runner then applies it once", async () => {
    const dir = await dirs.make({
      "20240101000000_runs.sql": "CREATE TABLE runs (migration text NOT NULL);\n",
      "20240102000000_slow.sql": "CREATE TABLE slow_one (id int);\nSELECT pg_sleep(3);\nINSERT INTO runs VALUES ('slow');\n",
      "20240103000000_after.sql": "INSERT INTO runs VALUES ('after');\n"
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_LOCK_WAIT: "60000", LOG_FORMAT: "json" }
    const first = startCli([], env)
    await first.waitFor("20240101000000_runs")
    const pid = await lockHolder()
    expect(pid).toBeDefined()
    const second = startCli([], env)
    await second.waitFor("db_migration_lock_waiting")
    await db.current.query("SELECT pg_terminate_backend($1)", [pid])

    const lost = await first.result
    expect(lost.code, lost.output).toBe(3)
    expect(lost.output).toContain('"error_tag":"LockLost"')
    expect(lost.output).toContain("the migration lock was lost")
    expect(lost.output).toMatch(/interrupted while running; (its|the) transaction (of the one running )?was rolled back/)
    expect(lost.output).not.toContain('"migration_id":"20240103000000_after","event":"db_migration_applied"')
    const won = await second.result
    expect(won.code, won.output).toBe(0)
    expect(await db.current.query("SELECT migration FROM runs ORDER BY migration")).toEqual([{ migration: "after" }, { migration: "slow" }])
    expect(await db.current.query("SELECT id, status FROM migrations ORDER BY id")).toEqual([
      { id: "20240101000000_runs", status: "applied" },
      { id: "20240102000000_slow", status: "applied" },
      { id: "20240103000000_after", status: "applied" }
    ])
  }, 60_000)

  it("a transaction: false migration killed with SIGKILL is reported as interrupted on the next run, naming mark-applied and reset", async () => {
    const dir = await dirs.make({
      "20240201000000_concurrently.sql":
        "-- transaction: false\nCREATE TABLE killed_leftover (id int);\nSELECT pg_sleep(30);\nCREATE INDEX CONCURRENTLY killed_idx ON killed_leftover (id);\n"
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "journal_killed" }
    const running = startCli([], env)
    for (let tries = 0; tries < 200; tries++) {
      const [sleeping] = await db.current.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")
      if (sleeping !== undefined) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await db.current.query("SELECT status FROM journal_killed")).toEqual([{ status: "running" }])
    running.child.kill("SIGKILL")
    await running.result
    await db.current.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")

    const next = await runCli([], env)
    expect(next.code, next.output).toBe(1)
    expect(next.output).toContain("20240201000000_concurrently (transaction: false) was started at")
    expect(next.output).toContain("effect-migrate mark-applied 20240201000000_concurrently")
    expect(next.output).toContain("effect-migrate reset 20240201000000_concurrently")
    expect(next.output).not.toContain("42P07")
    // The row stays `running`: the run after says the same until an operator decides.
    expect(await db.current.query("SELECT status FROM journal_killed")).toEqual([{ status: "running" }])
    const reset = await runCli(["reset", "20240201000000_concurrently"], env)
    expect(reset.code, reset.output).toBe(0)
    await db.current.query("DROP TABLE killed_leftover")
  }, 90_000)

  it("SIGTERM mid-migration: a log line says it was interrupted and rolled back (exit 130)", async () => {
    const dir = await dirs.make({ "20240301000000_sleeps.sql": "CREATE TABLE termed (id int);\nSELECT pg_sleep(20);\n" })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "journal_termed" }
    const running = startCli([], env)
    for (let tries = 0; tries < 200; tries++) {
      const [sleeping] = await db.current.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")
      if (sleeping !== undefined) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    running.child.kill("SIGTERM")
    const result = await running.result
    expect(result.code, result.output).toBe(130)
    expect(result.output).toContain("Migration Sleeps: interrupted while running; its transaction was rolled back")
    expect(await db.current.query("SELECT to_regclass('public.termed') IS NULL AS gone")).toEqual([{ gone: true }])
  }, 60_000)
})
