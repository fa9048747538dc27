import pg from "pg"
import { describe, expect, it } from "vitest"
import { lockKey } from "../../src/database/MigrationLock.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { errorLines, runCli, startCli, useCli, useTempDir } from "../support/cli.js"

const db = useTestDatabase("safety_concurrency")
const dirs = useTempDir("concurrency")
useCli()

const runners = 10

/** Five migrations; each also records itself in `runs`, so a double application would show twice there. */
const migrations = {
  "20240101000000_create_accounts.sql":
    "CREATE TABLE accounts (id serial PRIMARY KEY, name text);\nCREATE TABLE runs (migration text NOT NULL);\nINSERT INTO runs VALUES ('m1');\n",
  "20240102000000_slow_backfill.sql": "SELECT pg_sleep(1.5);\nCREATE TABLE audit (id serial PRIMARY KEY);\nINSERT INTO runs VALUES ('m2');\n",
  "20240103000000_add_email.sql": "ALTER TABLE accounts ADD COLUMN email text;\nINSERT INTO runs VALUES ('m3');\n",
  "20240104000000_index_email.sql": "CREATE INDEX accounts_email ON accounts (email);\nINSERT INTO runs VALUES ('m4');\n",
  "20240105000000_seed.sql": "INSERT INTO accounts (name) VALUES ('first');\nINSERT INTO runs VALUES ('m5');\n"
}

describe("concurrent runners", () => {
  it(`${runners} CLI processes started at once apply each migration exactly once`, async () => {
    const dir = await dirs.make(migrations)
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_LOCK_WAIT: "60000" }

    // Counts runners blocked on the advisory lock while the others run.
    let maxWaiting = 0
    let polling = true
    const poller = (async () => {
      while (polling) {
        const [row] = await db.current.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
        )
        maxWaiting = Math.max(maxWaiting, row?.waiting ?? 0)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()

    const results = await Promise.all(Array.from({ length: runners }, () => runCli([], env, { timeoutMs: 90_000 })))
    polling = false
    await poller

    for (const result of results) {
      expect(result.timedOut, result.output).toBe(false)
      expect(result.code, result.output).toBe(0)
      expect(errorLines(result.output), result.output).toEqual([])
    }
    const journal = await db.current.query<{ id: string; status: string }>("SELECT id, status FROM migrations ORDER BY id")
    expect(journal).toEqual(Object.keys(migrations).map((file) => ({ id: file.replace(/\.sql$/, ""), status: "applied" })))
    const runs = await db.current.query<{ migration: string; n: number }>(
      "SELECT migration, count(*)::int AS n FROM runs GROUP BY migration ORDER BY migration"
    )
    expect(runs).toEqual(["m1", "m2", "m3", "m4", "m5"].map((migration) => ({ migration, n: 1 })))
    expect(await db.current.query("SELECT name FROM accounts")).toEqual([{ name: "first" }])

    // Every APPLIED line, over all outputs, once per migration.
    const appliedLines = results.flatMap((result) => result.stdout.split("\n").filter((line) => line.includes(": APPLIED")))
    expect(appliedLines).toHaveLength(5)

    // The runners that waited said who held the lock, and since when.
    const waited = results.filter((result) => result.stdout.includes("Waiting for the migration lock"))
    expect(waited.length).toBeGreaterThan(0)
    for (const result of waited) {
      expect(result.stdout).toMatch(/Waiting for the migration lock \(\d+s\), held by pid \d+/)
    }
    expect(waited.some((result) => /held by pid \d+ (from \S+ )?since \d{4}-\d\d-\d\dT/.test(result.stdout))).toBe(true)
    console.log(
      `[safety] ${runners} runners: ${waited.length} logged waiting; at most ${maxWaiting} blocked on the lock at once; ` +
        `${journal.length} journal rows, ${appliedLines.length} APPLIED lines`
    )
  }, 120_000)

  it("gives up with LockTimeout (exit 3) naming the holder when the lock is held longer than MIGRATION_LOCK_WAIT", async () => {
    const dir = await dirs.make({ "20240101000000_t.sql": "CREATE TABLE never_created (id int);\n" })
    const holder = new pg.Client({ connectionString: db.current.url })
    await holder.connect()
    try {
      const [{ pid }] = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows as [{ pid: number }]
      await holder.query(`SELECT pg_advisory_lock(${lockKey("public", "migrations")}::bigint)`)
      const running = startCli([], {
        DATABASE_URL: db.current.url,
        MIGRATIONS_DIR: dir,
        RLS_FILE: "none",
        MIGRATION_LOCK_WAIT: "1500"
      })
      const result = await running.result
      expect(result.code, result.output).toBe(3)
      expect(result.output).toMatch(/Waiting for the migration lock \(0s\), held by pid \d+/)
      expect(result.output).toContain(`could not obtain the migration lock within 1500ms (held by pid ${pid}`)
      expect(result.output).toContain("MIGRATION_LOCK_WAIT")
      const [{ exists }] = await db.current.query<{ exists: boolean }>(
        "SELECT to_regclass('public.never_created') IS NOT NULL AS exists"
      ) as [{ exists: boolean }]
      expect(exists).toBe(false)
    } finally {
      await holder.end()
    }
  })
})
