import { describe, expect, it } from "@effect/vitest"
import * as path from "node:path"
import pg from "pg"
import { lockKey } from "../../src/database/MigrationLock.js"
import { freePort } from "../support/freePort.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { cli, cliOnTerminal, jsonLines, useCli, useTempDirs } from "./support.js"

/** Exit codes: 0 success; 1 a migration or RLS statement failed; 2 bad usage or configuration; 3 unreachable or locked. */

useCli()
const db = useTestDatabase("cli_exit")
const tempDir = useTempDirs("exit")

const good = {
  "20240101000000_one.sql": "CREATE TABLE one (id int);\n-- migrate:down\nDROP TABLE one;\n",
  "20240102000000_two.sql": "CREATE TABLE two (id int);\n-- migrate:down\nDROP TABLE two;\n"
}

describe("exit codes", () => {
  it("2 for bad usage: an unknown flag, a bad --log-format, a missing argument", async () => {
    const env = { DATABASE_URL: db.current.url }
    const results = await Promise.all([
      cli(["--bogus"], env),
      cli(["status", "--bogus"], env),
      cli(["status", "--log-format", "xml"], env),
      cli(["mark-applied"], env),
      cli(["down", "--steps", "two"], env)
    ])
    for (const result of results) expect(result.code, result.stdout + result.stderr).toBe(2)
    expect(results[1]!.stderr + results[1]!.stdout).toContain("--bogus")
  })

  it("2 for bad configuration: LOG_FORMAT, DATABASE_SCHEMA (variable or flag), MIGRATION_TIMEOUT", async () => {
    const dir = await tempDir(good)
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
    const [logFormat, schemaVariable, schemaFlag, schemaFlagFirst, timeout] = await Promise.all([
      cli(["status"], { ...env, LOG_FORMAT: "xml" }),
      cli([], { ...env, DATABASE_SCHEMA: "app; DROP TABLE x" }),
      cli(["status", "--schema", "bad-name"], env),
      cli(["--schema=bad-name", "status"], env),
      cli(["up"], { ...env, MIGRATION_TIMEOUT: "soon" })
    ])
    expect(logFormat.code).toBe(2)
    expect(logFormat.stderr).toContain("LOG_FORMAT")
    expect(schemaVariable.code).toBe(2)
    expect(schemaVariable.stdout + schemaVariable.stderr).toContain("DATABASE_SCHEMA")
    expect(schemaFlag.code).toBe(2)
    expect(schemaFlagFirst.code).toBe(2)
    expect(schemaFlagFirst.stdout + schemaFlagFirst.stderr).toContain("bad-name")
    expect(timeout.code).toBe(2)
    expect(timeout.stdout + timeout.stderr).toContain("MIGRATION_TIMEOUT")
    expect(await db.current.query("SELECT 1 FROM pg_tables WHERE tablename = 'migrations'")).toHaveLength(0)
  })

  it("the bare command and `up` with flags log the same events and exit alike", async () => {
    const dir = await tempDir({ "20240105000000_broken.sql": "CREATE TABLE five (id int);\nSELECT * FROM no_such_table;\n" })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", LOG_FORMAT: "json" }
    const bare = await cli([], env)
    const full = await cli(["up", "--log-format", "json", "--rls-file", "none"], env)
    for (const result of [bare, full]) expect(result.code, result.stdout + result.stderr).toBe(1)
    const shape = (stdout: string) =>
      jsonLines(stdout).map((line) => `${String(line.event)} ${String(line.migration_id ?? "")} ${String(line.code ?? "")}`)
    expect(shape(bare.stdout)).toEqual(shape(full.stdout))
    expect(shape(bare.stdout)).toContain("db_migration_failed 20240105000000_broken 42P01")
  })

  it("3 when the database is unreachable, without printing the password", async () => {
    const port = await freePort()
    const url = `postgres://app:s3cr3t-pw@127.0.0.1:${port}/app`
    const results = await Promise.all([
      cli(["--connect-timeout", "300"], { DATABASE_URL: url, RLS_FILE: "none" }),
      cli(["status", "--database-url", url, "--connect-timeout=300"], {}),
      cli(["down", "--connect-timeout=300"], { DATABASE_URL: url })
    ])
    for (const result of results) {
      expect(result.code, result.stdout + result.stderr).toBe(3)
      expect(result.stdout + result.stderr).toMatch(/cannot connect to PostgreSQL at host 127\.0\.0\.1, port \d+/)
      expect(result.stdout + result.stderr).not.toContain("s3cr3t-pw")
    }
  })

  it("3 when another runner holds the migration lock", async () => {
    const dir = await tempDir(good)
    const holder = new pg.Client({ connectionString: db.current.url })
    await holder.connect()
    try {
      await holder.query(`SELECT pg_advisory_lock(${lockKey("public", "migrations")}::bigint)`)
      const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_LOCK_WAIT: "300" }
      const [up, down, mark] = await Promise.all([
        cli([], env),
        cli(["down"], env),
        cli(["mark-applied", "20240101000000_one"], env)
      ])
      for (const result of [up, down, mark]) {
        expect(result.code, result.stdout + result.stderr).toBe(3)
        expect(result.stdout + result.stderr).toMatch(/could not obtain the migration lock within 300ms/)
      }
      // Read-only commands need no lock.
      expect((await cli(["status"], env)).code).toBe(0)
    } finally {
      await holder.end()
    }
  })

  it("1 when a migration fails (the rest are skipped) or an RLS statement fails; 0 once fixed", async () => {
    const dir = await tempDir({
      ...good,
      "20240103000000_broken.sql": "CREATE TABLE three (id int);\nSELECT * FROM no_such_table;\n"
    })
    const rls = path.join(await tempDir(), "rls.sql")
    const { writeFile } = await import("node:fs/promises")
    await writeFile(rls, "ALTER TABLE one ENABLE ROW LEVEL SECURITY;\nALTER TABLE nope ENABLE ROW LEVEL SECURITY;\n")
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: rls, LOG_FORMAT: "json" }
    const failed = await cli([], env)
    expect(failed.code).toBe(1)
    const events = jsonLines(failed.stdout)
    expect(events.find((line) => line.event === "db_migration_failed")).toMatchObject({
      migration_id: "20240103000000_broken",
      code: "42P01"
    })
    expect(events.filter((line) => line.event === "db_rls_statement_failed")).toHaveLength(1)

    const rlsOnly = await cli(["rls"], env)
    expect(rlsOnly.code).toBe(1)
    expect(jsonLines(rlsOnly.stdout).some((line) => line.event === "db_migration_applied")).toBe(false)

    await writeFile(path.join(dir, "20240103000000_broken.sql"), "CREATE TABLE three (id int);\n")
    await writeFile(rls, "ALTER TABLE one ENABLE ROW LEVEL SECURITY;\n")
    const fixed = await cli([], env)
    expect(fixed.code, fixed.stdout).toBe(0)
    const rlsAgain = await cli(["rls"], { ...env, LOG_FORMAT: "text" })
    expect(rlsAgain.code).toBe(0)
    expect(rlsAgain.stdout).toMatch(/RLS migration completed in \d+ms \(1 succeeded, 0 failed\)/)
    expect(rlsAgain.stdout).not.toContain("Migration system initialized")

    // A down that fails is rolled back: exit 1, the migration stays applied.
    await writeFile(path.join(dir, "20240103000000_broken.sql"), "CREATE TABLE three (id int);\n-- migrate:down\nDROP TABLE nope;\n")
    const down = await cli(["down"], { ...env, LOG_FORMAT: "text" })
    expect(down.code, down.stdout + down.stderr).toBe(1)
    expect(down.stdout).toMatch(/❌ Migration Broken: REVERT FAILED \(\d+ms\)/)
    expect(down.stdout).toContain("Rollback results: 0 reverted, 1 failed")
    expect(await db.current.query("SELECT status FROM migrations WHERE id = '20240103000000_broken'")).toEqual([{ status: "applied" }])
  })
})

describe("help, version, completions, flags over variables", () => {
  it("--help of every command shows an example; --version; --completions bash", async () => {
    const commands = ["up", "status", "create", "down", "mark-applied", "mark-failed", "reset", "verify", "repair", "rls"]
    const [root, version, completions, ...helps] = await Promise.all([
      cli(["--help"], {}),
      cli(["--version"], {}),
      cli(["--completions", "bash"], {}),
      ...commands.map((command) => cli([command, "--help"], {}))
    ])
    expect(root.code).toBe(0)
    expect(root.stdout).toMatch(/Exit codes: 0 success/)
    for (const command of commands) expect(root.stdout).toMatch(new RegExp(`^  ${command} +\\S`, "m"))
    helps.forEach((help, index) => {
      expect(help.code, commands[index]).toBe(0)
      expect(help.stdout, commands[index]).toContain(`effect-migrate ${commands[index]}`)
      expect(help.stdout, commands[index]).toMatch(/Examples?: /)
      expect(help.stdout, commands[index]).toContain("--database-url")
    })
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    expect(completions.code).toBe(0)
    expect(completions.stdout).toContain("complete -F")
  })

  it("a flag beats its variable, before or after the command's name", async () => {
    const dir = await tempDir(good)
    const empty = await tempDir()
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: empty, MIGRATION_TABLE: "flags_journal" }
    const [after, before, variable] = await Promise.all([
      cli(["status", "--json", "--migrations-dir", dir], env),
      cli(["--migrations-dir", dir, "status", "--json"], env),
      cli(["status", "--json"], env)
    ])
    expect(JSON.parse(after.stdout).summary).toMatchObject({ total: 2, pending: 2 })
    expect(JSON.parse(before.stdout).summary).toMatchObject({ total: 2, pending: 2 })
    expect(JSON.parse(variable.stdout).summary).toMatchObject({ total: 0 })
  })
})

describe("progress on a terminal", () => {
  it("shows migration k of n on a TTY; piped output and JSON logs carry no progress", async () => {
    const dir = await tempDir({
      "20240101000000_a.sql": "SELECT pg_sleep(0.6);\n",
      "20240102000000_b.sql": "SELECT 1;\n"
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "progress_journal" }
    const terminal = cliOnTerminal([], env)
    if (terminal === undefined) return
    const shown = await terminal
    expect(shown.code, shown.stdout).toBe(0)
    expect(shown.stdout).toContain("⏳ migration 1 of 2")
    expect(shown.stdout).toMatch(/\r\x1b\[K/)
    // The log lines themselves are the same as when piped.
    const lines = shown.stdout.replace(/\r\x1b\[K(⏳[^\r\n]*)?/g, "").split(/\r?\n/).filter((line) => line.startsWith("["))
    expect(lines.some((line) => /✅ Migration A: APPLIED \(\d+ms\)$/.test(line))).toBe(true)

    await db.current.query("DROP TABLE progress_journal")
    const piped = await cli([], { ...env, LOG_FORMAT: "json" })
    expect(piped.code).toBe(0)
    expect(piped.stdout + piped.stderr).not.toContain("\r")
    expect(piped.stdout + piped.stderr).not.toContain("⏳ migration")
    expect(() => jsonLines(piped.stdout)).not.toThrow()
  })
})

describe("status on a terminal", () => {
  it("colours the state column on a TTY, unless NO_COLOR is set", async () => {
    const dir = await tempDir(good)
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, MIGRATION_TABLE: "colour_journal" }
    const coloured = cliOnTerminal(["status"], env)
    if (coloured === undefined) return
    const [withColour, plain] = await Promise.all([coloured, cliOnTerminal(["status"], { ...env, NO_COLOR: "1" })!])
    expect(withColour.stdout).toMatch(/\x1b\[33mpending/)
    expect(withColour.stdout).toContain("2 migrations: 0 applied, 2 pending")
    expect(plain.stdout).not.toMatch(/\x1b\[\d+m/)
    expect(plain.stdout).toContain("2 migrations: 0 applied, 2 pending")
  })
})
