import { describe, expect, it } from "vitest"
import { checksum } from "../../src/source/checksum.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { jsonLines, runCli, useCli, useTempDir, writeFiles } from "../support/cli.js"

const db = useTestDatabase("safety_drift")
const dirs = useTempDir("drift")
useCli()

const events = (stdout: string, name: string) => jsonLines(stdout).filter((event) => event.event === name)

const tableExists = async (name: string) => {
  const [row] = await db.current.query<{ exists: boolean }>(`SELECT to_regclass('${name}') IS NOT NULL AS exists`)
  return row?.exists === true
}

describe("drift", () => {
  it("CRLF and LF line endings have the same checksum", () => {
    expect(checksum("CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n")).toBe(
      checksum("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")
    )
    expect(checksum("SELECT 1;\r")).toBe(checksum("SELECT 1;\n"))
    expect(checksum("SELECT 1;")).not.toBe(checksum("SELECT 2;"))
  })

  it("warns about an edited applied migration, refuses in strict mode, applies an older pending one with a warning", async () => {
    const dir = await dirs.make({
      "20240102000000_first.sql": "CREATE TABLE first_t (id int);\r\nCREATE INDEX first_i ON first_t (id);\r\n",
      "20240103000000_second.sql": "CREATE TABLE second_t (id int);\n"
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", LOG_FORMAT: "json" }
    const first = await runCli([], env)
    expect(first.code, first.output).toBe(0)
    const [stored] = await db.current.query<{ checksum: string }>("SELECT checksum FROM migrations WHERE id = '20240102000000_first'")
    expect(stored?.checksum).toMatch(/^[0-9a-f]{64}$/)

    // A checkout that turns CRLF into LF is not drift.
    await writeFiles(dir, { "20240102000000_first.sql": "CREATE TABLE first_t (id int);\nCREATE INDEX first_i ON first_t (id);\n" })
    const lf = await runCli([], env)
    expect(lf.code, lf.output).toBe(0)
    expect(events(lf.stdout, "db_migration_checksum_mismatch")).toEqual([])

    // An edit is.
    await writeFiles(dir, { "20240102000000_first.sql": "CREATE TABLE first_t (id int, extra text);\nCREATE INDEX first_i ON first_t (id);\n" })
    const edited = await runCli([], env)
    expect(edited.code, edited.output).toBe(0)
    const mismatches = events(edited.stdout, "db_migration_checksum_mismatch")
    expect(mismatches).toHaveLength(1)
    expect(mismatches[0]).toMatchObject({ level: "WARN", migration_id: "20240102000000_first", recorded_checksum: stored?.checksum })
    expect(String(mismatches[0]?.message)).toContain("20240102000000_first")

    // Strict: nothing runs, not even a new pending migration.
    await writeFiles(dir, { "20240104000000_third.sql": "CREATE TABLE third_t (id int);\n" })
    const strict = await runCli([], { ...env, MIGRATION_VALIDATE: "strict" })
    expect(strict.code, strict.output).not.toBe(0)
    expect(strict.output).toContain("20240102000000_first")
    expect(strict.output).toMatch(/ChecksumMismatch|changed since they were applied/)
    expect(await tableExists("third_t")).toBe(false)
    expect(await db.current.query("SELECT id FROM migrations WHERE id = '20240104000000_third'")).toEqual([])

    // Warn mode again, with a pending migration older than the newest applied one: applied, with a warning.
    await writeFiles(dir, { "20240101000000_older.sql": "CREATE TABLE older_t (id int);\n" })
    const late = await runCli([], env)
    expect(late.code, late.output).toBe(0)
    const outOfOrder = events(late.stdout, "db_migration_out_of_order")
    expect(outOfOrder).toHaveLength(1)
    expect(outOfOrder[0]).toMatchObject({ level: "WARN", migration_id: "20240101000000_older", newest_applied: "20240103000000_second" })
    expect(await tableExists("older_t")).toBe(true)
    expect(await tableExists("third_t")).toBe(true)
    const rows = await db.current.query<{ id: string; status: string }>("SELECT id, status FROM migrations ORDER BY id")
    expect(rows).toEqual([
      { id: "20240101000000_older", status: "applied" },
      { id: "20240102000000_first", status: "applied" },
      { id: "20240103000000_second", status: "applied" },
      { id: "20240104000000_third", status: "applied" }
    ])
  })
})
