import { describe, expect, it } from "@effect/vitest"
import * as path from "node:path"
import { runCli } from "../support/cli.js"
import { freePort } from "../support/freePort.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { useCli, useTempDirs } from "./support.js"

/** A new user's first commands, from the built binary, in a fresh app folder. */

useCli()
const db = useTestDatabase("cli_first")
const tempDir = useTempDirs("first")

describe("effect-migrate in a new app", () => {
  it("up without sql/enable-rls.sql applies the migrations, skips the RLS stage with one line, exits 0", async () => {
    const root = await tempDir({ "migrations/20240101000000_create_items.sql": "CREATE TABLE first_items (id int);" })
    const result = await runCli(["up"], { DATABASE_URL: db.current.url }, { cwd: root, timeoutMs: 30_000 })
    expect(result.code, result.output).toBe(0)
    const rlsLines = result.output.split("\n").filter((line) => line.includes("RLS"))
    expect(rlsLines).toHaveLength(1)
    expect(rlsLines[0]).toContain(`No RLS file at ${path.join(root, "sql", "enable-rls.sql")}`)
  })

  it("up with an RLS_FILE that is missing exits 1 naming it", async () => {
    const root = await tempDir({ "migrations/20240101000000_create_more.sql": "CREATE TABLE first_more (id int);" })
    const result = await runCli(["up"], { DATABASE_URL: db.current.url, RLS_FILE: "rls.sql" }, { cwd: root })
    expect(result.code).toBe(1)
    expect(result.output).toContain(`RLS migration SQL file not found: ${path.join(root, "rls.sql")}`)
  })
})

describe("effect-migrate and DATABASE_URL", () => {
  it("unset: the first line says so and names the default tried, password masked", async () => {
    const root = await tempDir({ "migrations/20240101000000_a.sql": "SELECT 1;" })
    const result = await runCli(["status"], { MIGRATION_CONNECT_TIMEOUT: "0" }, { cwd: root })
    const first = result.output.split("\n")[0]!
    expect(first).toContain("DATABASE_URL is not set: trying the default postgres://postgres:***@localhost:5432/app")
    expect(result.output).not.toContain("postgres:postgres@")
  })

  it("an unreachable server: one line per retry with the attempt, the next delay and the time left", async () => {
    const port = await freePort()
    const url = `postgres://app:s3cret@127.0.0.1:${port}/app`
    const result = await runCli(["status"], { DATABASE_URL: url, MIGRATION_CONNECT_TIMEOUT: "1000" }, {})
    expect(result.code).toBe(3)
    const retries = result.output.split("\n").filter((line) => line.includes("retrying in"))
    expect(retries.length).toBeGreaterThanOrEqual(2)
    expect(retries[0]).toMatch(
      new RegExp(`Cannot reach postgres://app@127\\.0\\.0\\.1:${port}/app yet \\(attempt 1: .*ECONNREFUSED.*\\); retrying in 100ms, \\d+s left`)
    )
    expect(retries[1]).toMatch(/attempt 2: .*retrying in 160ms/)
    expect(result.output).not.toContain("s3cret")
  })

  it("a connection failure's hint is printed once", async () => {
    const root = await tempDir({ "migrations/20240101000000_a.sql": "SELECT 1;" })
    const url = new URL(db.current.url)
    url.pathname = "/no_such_database_here"
    const result = await runCli(["status"], { DATABASE_URL: url.toString() }, { cwd: root })
    expect(result.code).toBe(3)
    expect(result.output.match(/database does not exist: create it/g)).toHaveLength(1)
  })

  it("pglite: without a directory is refused naming DATABASE_URL; pglite:memory says its data is gone at exit", async () => {
    const root = await tempDir({ "migrations/20240101000000_a.sql": "CREATE TABLE a (id int);" })
    const refused = await runCli(["up"], { DATABASE_URL: "pglite:" }, { cwd: root })
    expect(refused.code).toBe(2)
    expect(refused.output).toMatch(/DATABASE_URL: pglite: needs a data directory/)
    const memory = await runCli(["up"], { DATABASE_URL: "pglite:memory" }, { cwd: root, timeoutMs: 60_000 })
    expect(memory.code, memory.output).toBe(0)
    expect(memory.output).toMatch(/pglite:memory: the in-memory database is gone with its data now that the run ends/)
  })
})

describe("effect-migrate status with files that do not load", () => {
  it("lists every file it can, marks the unloadable ones with the reason, then exits 2", async () => {
    const dir = await tempDir({
      "20240101000000_a.sql": "CREATE TABLE status_a (id int);",
      "20240102000000_b.js": "export default 42\n",
      "20240103000000_c.sql": "SELECT 1;"
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, MIGRATION_TABLE: "status_unloadable" }
    const result = await runCli(["status"], env)
    expect(result.code).toBe(2)
    expect(result.stdout).toMatch(/^20240101000000_a +A +pending/m)
    expect(result.stdout).toMatch(/^20240103000000_c +C +pending/m)
    expect(result.stdout).toContain("1 migration file could not be loaded:")
    expect(result.stdout).toContain(`✗ ${path.join(dir, "20240102000000_b.js")}: the default export is not a migration`)
    const json = await runCli(["status", "--json"], env)
    expect(json.code).toBe(2)
    const parsed = JSON.parse(json.stdout) as { migrations: Array<unknown>; unloadable: Array<{ file: string }> }
    expect(parsed.migrations).toHaveLength(2)
    expect(parsed.unloadable.map((entry) => path.basename(entry.file))).toEqual(["20240102000000_b.js"])
  })

  it("a missing migrations directory gets a hint about MIGRATIONS_DIR", async () => {
    const result = await runCli(["status"], { DATABASE_URL: db.current.url, MIGRATIONS_DIR: "/nonexistent/migrations" })
    expect(result.code).toBe(2)
    expect(result.output).toContain("hint: point MIGRATIONS_DIR (--migrations-dir) at the directory of migrations")
    expect(result.output).not.toContain("fix or remove the migration file")
  })
})
