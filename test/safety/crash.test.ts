import pg from "pg"
import { describe, expect, it } from "vitest"
import { lockKey } from "../../src/database/MigrationLock.js"
import { checksum } from "../../src/source/checksum.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { type CliResult, errorLines, runCli, startCli, useCli, useTempDir, writeFiles } from "../support/cli.js"

const db = useTestDatabase("safety_crash")
const dirs = useTempDir("crash")
useCli()

/**
 * The second migration sleeps 20 s the first time it runs (a sequence survives the rollback), and not after:
 * the run that gets killed is slow, the run after it is quick.
 */
const migrations = (gate: string) => ({
  "20240101000000_before.sql": `CREATE TABLE before_t (id int);\nCREATE TABLE runs (migration text NOT NULL);\nINSERT INTO runs VALUES ('m1');\n`,
  "20240102000000_slow.sql":
    `CREATE TABLE slow_t (id int);\nINSERT INTO runs VALUES ('m2');\nSELECT pg_sleep(CASE WHEN nextval('${gate}') = 1 THEN 20 ELSE 0 END);\n`,
  "20240103000000_after.sql": `CREATE TABLE after_t (id int);\nINSERT INTO runs VALUES ('m3');\n`
})

const poll = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what}: not within ${timeoutMs}ms`)
}

const backendsSleeping = (schema: string) =>
  db.current.query<{ pid: number; xid: string | null }>(
    `SELECT pid, backend_xid::text AS xid FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep%' AND query LIKE '%${schema}%'
        AND pid <> pg_backend_pid()`
  )

const lockHeld = async (schema: string) => {
  const rows = await db.current.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((classid::bigint << 32) | objid::bigint) = ${lockKey(schema, "migrations")}::bigint`
  )
  return rows.length > 0
}

const journal = (schema: string) =>
  db.current.query<{ id: string; status: string }>(`SELECT id, status FROM ${schema}.migrations ORDER BY id`)

const tableExists = async (name: string) => {
  const [row] = await db.current.query<{ exists: boolean }>(`SELECT to_regclass('${name}') IS NOT NULL AS exists`)
  return row?.exists === true
}

/** Each test uses its own schema, so its journal, lock key and tables are its own. */
const setup = async (schema: string) => {
  await db.current.query(`CREATE SCHEMA ${schema}; CREATE SEQUENCE ${schema}.gate`)
  const dir = await dirs.make(migrations(`${schema}.gate`))
  return {
    dir,
    env: {
      DATABASE_URL: db.current.urlWith({}) + `?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DATABASE_SCHEMA: schema,
      MIGRATIONS_DIR: dir,
      RLS_FILE: "none"
    }
  }
}

const expectClean = (result: CliResult) => {
  expect(result.timedOut, result.output).toBe(false)
  expect(result.code, result.output).toBe(0)
  expect(errorLines(result.output), result.output).toEqual([])
}

describe("crash safety", () => {
  it("kill -9 mid-migration: rolled back, no applied row, lock freed, the next run applies it", async () => {
    const { env } = await setup("crash_kill")
    const running = startCli([], env)
    await poll("migration sleeping", async () => (await backendsSleeping("crash_kill.gate")).length === 1, 20_000)
    running.child.kill("SIGKILL")
    const killed = await running.result
    expect(killed.signal).toBe("SIGKILL")

    // The server frees the session lock, and rolls the orphaned migration back long before its 20 s sleep ends.
    await poll("advisory lock freed", async () => !(await lockHeld("crash_kill")), 10_000)
    await poll("orphaned migration rolled back", async () => (await backendsSleeping("crash_kill.gate")).length === 0, 5_000)
    expect(await journal("crash_kill")).toEqual([{ id: "20240101000000_before", status: "applied" }])
    expect(await tableExists("crash_kill.slow_t")).toBe(false)
    expect(await tableExists("crash_kill.after_t")).toBe(false)

    const next = await runCli([], env)
    expectClean(next)
    expect(next.stdout).toContain("2 applied, 0 skipped, 0 failed")
    expect(await journal("crash_kill")).toEqual([
      { id: "20240101000000_before", status: "applied" },
      { id: "20240102000000_slow", status: "applied" },
      { id: "20240103000000_after", status: "applied" }
    ])
    expect(await db.current.query("SELECT migration, count(*)::int AS n FROM crash_kill.runs GROUP BY 1 ORDER BY 1")).toEqual([
      { migration: "m1", n: 1 },
      { migration: "m2", n: 1 },
      { migration: "m3", n: 1 }
    ])
  })

  it("kill -9 of the runner holding the lock while others wait: a waiter takes over, every migration applied once", async () => {
    const { env } = await setup("crash_race")
    const runners = Array.from({ length: 4 }, () => startCli([], { ...env, MIGRATION_LOCK_WAIT: "60000" }, { timeoutMs: 60_000 }))
    await poll("migration sleeping", async () => (await backendsSleeping("crash_race.gate")).length === 1, 20_000)
    // The holder is the one runner that has started running migrations.
    const holder = runners.find((runner) => runner.child.exitCode === null && runner.output().includes("Running pending"))
    expect(holder).toBeDefined()
    holder!.child.kill("SIGKILL")
    const results = await Promise.all(runners.map((runner) => runner.result))
    for (const [index, result] of results.entries()) {
      if (runners[index] === holder) expect(result.signal).toBe("SIGKILL")
      else expectClean(result)
    }
    expect((await journal("crash_race")).map((row) => row.status)).toEqual(["applied", "applied", "applied"])
    expect(await db.current.query("SELECT migration, count(*)::int AS n FROM crash_race.runs GROUP BY 1 ORDER BY 1")).toEqual([
      { migration: "m1", n: 1 },
      { migration: "m2", n: 1 },
      { migration: "m3", n: 1 }
    ])
  })

  it("a runner that takes over waits for the dead runner's migration still committing, and does not apply it twice", async () => {
    const schema = "crash_orphan"
    await db.current.query(`CREATE SCHEMA ${schema}`)
    const dir = await dirs.make({ "20240101000000_runs.sql": `CREATE TABLE ${schema}.runs (migration text NOT NULL);\n` })
    const env = { DATABASE_URL: db.current.url, DATABASE_SCHEMA: schema, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
    expectClean(await runCli([], env))
    // A data migration: applied twice, it would insert twice.
    const text = `INSERT INTO ${schema}.runs VALUES ('m2');\n`
    await writeFiles(dir, { "20240102000000_backfill.sql": text })

    // What a runner killed while committing leaves behind: its migration's transaction, still open on the server.
    const orphan = new pg.Client({ connectionString: db.current.url, application_name: "effect-migrate" })
    await orphan.connect()
    try {
      await orphan.query("BEGIN")
      await orphan.query(`INSERT INTO ${schema}.runs VALUES ('m2')`)
      await orphan.query(
        `INSERT INTO ${schema}.migrations (id, name, applied_at, duration, status, checksum, "timestamp")
         VALUES ('20240102000000_backfill', 'Backfill', now(), 1, 'applied', $1, 20240102000000)`,
        [checksum(text)]
      )
      const running = startCli([], env)
      // The new runner holds the lock and is waiting for the orphan to finish.
      await poll("new runner waiting for the orphan", async () => {
        const rows = await db.current.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%backend_xid IS NOT NULL%' AND pid <> pg_backend_pid()"
        )
        return rows.length > 0 && (await lockHeld(schema))
      }, 20_000)
      await orphan.query("COMMIT")
      const result = await running.result
      expectClean(result)
      expect(result.stdout).toContain("0 applied, 0 skipped, 0 failed")
    } finally {
      await orphan.end()
    }
    expect(await db.current.query(`SELECT migration, count(*)::int AS n FROM ${schema}.runs GROUP BY 1`)).toEqual([{ migration: "m2", n: 1 }])
  })

  it("keeps the lock through a long migration on a server with idle_session_timeout", async () => {
    const schema = "crash_idle"
    await db.current.query(`CREATE SCHEMA ${schema}`)
    await db.current.query(`ALTER ROLE CURRENT_USER IN DATABASE ${db.current.name} SET idle_session_timeout = '300ms'`)
    try {
      // The migration itself checks, after the lock connection sat idle past the timeout, that the lock is still held.
      const dir = await dirs.make({
        "20240101000000_long.sql": [
          "SELECT pg_sleep(1.2);",
          "DO $$ BEGIN",
          `  IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND ((classid::bigint << 32) | objid::bigint) = ${lockKey(schema, "migrations")}::bigint) THEN`,
          "    RAISE EXCEPTION 'the migration lock was lost while this migration ran';",
          "  END IF;",
          "END $$;",
          ""
        ].join("\n")
      })
      const result = await runCli([], { DATABASE_URL: db.current.url, DATABASE_SCHEMA: schema, MIGRATIONS_DIR: dir, RLS_FILE: "none" })
      expectClean(result)
    } finally {
      await db.current.query(`ALTER ROLE CURRENT_USER IN DATABASE ${db.current.name} RESET idle_session_timeout`)
    }
  })

  it("warns when the lock's own connection is terminated during the run", async () => {
    const schema = "crash_lock_conn"
    await db.current.query(`CREATE SCHEMA ${schema}; CREATE SEQUENCE ${schema}.gate`)
    const dir = await dirs.make({ "20240101000000_wait.sql": `SELECT pg_sleep(CASE WHEN nextval('${schema}.gate') = 1 THEN 20 ELSE 0 END);\n` })
    const running = startCli([], { DATABASE_URL: db.current.url, DATABASE_SCHEMA: schema, MIGRATIONS_DIR: dir, RLS_FILE: "none", LOG_FORMAT: "json" })
    await poll("migration sleeping", async () => (await backendsSleeping(`${schema}.gate`)).length === 1, 20_000)
    await db.current.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = ${lockKey(schema, "migrations")}::bigint`
    )
    const [sleeping] = await backendsSleeping(`${schema}.gate`)
    await db.current.query(`SELECT pg_cancel_backend(${sleeping!.pid})`)
    const result = await running.result
    expect(result.timedOut, result.output).toBe(false)
    expect(result.stdout).toContain(`"event":"db_migration_lock_lost"`)
    expect(result.code, result.output).toBe(1)
    expect(result.output).not.toMatch(/Unhandled|uncaught|EPIPE/i)
  })

  it("lost connection mid-migration: typed error, non-zero exit, no applied row; the next run applies it", async () => {
    const { env } = await setup("crash_conn")
    const running = startCli([], env)
    await poll("migration sleeping", async () => (await backendsSleeping("crash_conn.gate")).length === 1, 20_000)
    const [backend] = await backendsSleeping("crash_conn.gate")
    await db.current.query(`SELECT pg_terminate_backend(${backend!.pid})`)
    const result = await running.result
    expect(result.timedOut, result.output).toBe(false)
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/\[ERROR\] ❌ Migration slow: FAILED/i)
    expect(result.stdout).toMatch(/57P01|terminating connection|Connection terminated/i)
    const rows = await journal("crash_conn")
    expect(rows.find((row) => row.id === "20240102000000_slow")?.status ?? "absent").not.toBe("applied")
    expect(rows.find((row) => row.id === "20240103000000_after")).toBeUndefined()
    expect(await tableExists("crash_conn.slow_t")).toBe(false)
    await poll("advisory lock freed", async () => !(await lockHeld("crash_conn")), 10_000)

    const next = await runCli([], env)
    expectClean(next)
    expect((await journal("crash_conn")).map((row) => row.status)).toEqual(["applied", "applied", "applied"])
  })
})
