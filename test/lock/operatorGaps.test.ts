import { createServer, type Server, type Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { freePort } from "../support/freePort.js"
import { jsonLines, runCli, useCli, useTempDir } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("lock_gaps")
const dirs = useTempDir("lock-gaps")
useCli()

describe("what a careful operator expects (issue 13, item 5)", () => {
  it("a server that accepts TCP and never answers is given up on at MIGRATION_CONNECT_TIMEOUT (exit 3)", async () => {
    const sockets: Array<Socket> = []
    const server: Server = createServer((socket) => void sockets.push(socket))
    const port = await freePort()
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
    try {
      const dir = await dirs.make({ "20240101000000_a.sql": "SELECT 1;\n" })
      // The harness kills it at twice the connect timeout plus start-up: it must end on its own before that.
      const result = await runCli([], {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/app`,
        MIGRATIONS_DIR: dir,
        RLS_FILE: "none",
        MIGRATION_CONNECT_TIMEOUT: "3000"
      }, { timeoutMs: 9_000 })
      expect(result.timedOut, result.output).toBe(false)
      expect(result.code, result.output).toBe(3)
      expect(result.output).toMatch(/cannot connect to PostgreSQL at host 127\.0\.0\.1, port \d+/)
      expect(sockets.length).toBeGreaterThan(0)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }, 30_000)

  it("MIGRATION_LOCK_TIMEOUT=0 is refused as a configuration error (exit 2), not read as 'no limit'", async () => {
    const result = await runCli(["status"], { DATABASE_URL: db.current.url, MIGRATION_LOCK_TIMEOUT: "0", RLS_FILE: "none" })
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain("MIGRATION_LOCK_TIMEOUT")
    expect(result.output).toContain("0 would mean no limit")
  })

  it("DATABASE_SCHEMA=information_schema (or pg_*) is refused as a configuration error (exit 2)", async () => {
    for (const schema of ["information_schema", "pg_catalog"]) {
      const result = await runCli([], { DATABASE_URL: db.current.url, DATABASE_SCHEMA: schema, RLS_FILE: "none" })
      expect(result.code, result.output).toBe(2)
      expect(result.output).toContain("PostgreSQL's own schemas")
    }
  })

  it("an .mts whose top-level await never settles fails init within MIGRATION_TIMEOUT, naming the file", async () => {
    const dir = await dirs.make({ "20240101000000_hangs.mts": "await new Promise(() => {})\nexport default async () => true\n" })
    const result = await runCli([], { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TIMEOUT: "2000", MIGRATION_TABLE: "journal_hangs" }, { timeoutMs: 40_000 })
    expect(result.timedOut, result.output).toBe(false)
    expect(result.code, result.output).toBe(2)
    expect(result.output).toContain("20240101000000_hangs.mts: importing it did not finish within 2000ms")
  }, 60_000)

  it("MIGRATION_TIMEOUT bounds each migration of a group, even one that sets statement_timeout = 0", async () => {
    const dir = await dirs.make({
      "20240101000000_a.sql": "CREATE TABLE grouped_a (id int);\n",
      "20240101000001_b.sql": "CREATE TABLE grouped_b (id int);\n",
      "20240101000002_sleeps.sql": "SET statement_timeout = 0;\nSELECT pg_sleep(20);\n",
      "20240101000003_d.sql": "CREATE TABLE grouped_d (id int);\n"
    })
    const result = await runCli([], {
      DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TIMEOUT: "1500", LOG_FORMAT: "json", MIGRATION_TABLE: "journal_grouped"
    }, { timeoutMs: 40_000 })
    expect(result.code, result.output).toBe(1)
    const failed = jsonLines(result.stdout).find((line) => line.event === "db_migration_failed")
    expect(failed).toMatchObject({ migration_id: "20240101000002_sleeps", code: "57014" })
    expect(Number(failed?.duration_ms)).toBeLessThan(5_000)
    expect(await db.current.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")).toEqual([{ n: 0 }])
  }, 60_000)
})
