import { describe, expect, it } from "vitest"
import { startCli, useCli, useTempDir } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("lock_frozen")
const dirs = useTempDir("frozen")
useCli()

const idleInTransaction = async () => {
  const [row] = await db.current.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND application_name LIKE 'effect-migrate%'"
  )
  return row?.n ?? 0
}

describe("a runner frozen mid-migration", () => {
  it("does not hold its transaction (and its table locks) past MIGRATION_TIMEOUT: idle_in_transaction_session_timeout ends it", async () => {
    await db.current.query("CREATE TABLE app_rows (id int)")
    const dir = await dirs.make({ "20240101000000_locks.sql": "LOCK TABLE app_rows IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.5);\n" })
    const running = startCli([], { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TIMEOUT: "2000" })
    try {
      for (let tries = 0; tries < 200; tries++) {
        const [sleeping] = await db.current.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LOCK TABLE app_rows%' AND pid <> pg_backend_pid()")
        if (sleeping !== undefined) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      running.child.kill("SIGSTOP")
      let sawIdle = false
      let freed = false
      for (let tries = 0; tries < 150 && !freed; tries++) {
        const idle = await idleInTransaction()
        sawIdle ||= idle > 0
        freed = sawIdle && idle === 0
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(sawIdle).toBe(true)
      expect(freed).toBe(true)
      // The app's table is usable again while the runner is still frozen.
      expect(await db.current.query("SELECT count(*)::int AS n FROM app_rows")).toEqual([{ n: 0 }])
      expect(running.child.exitCode).toBeNull()
    } finally {
      running.child.kill("SIGCONT")
      running.child.kill("SIGKILL")
      await running.result
    }
  }, 60_000)
})
