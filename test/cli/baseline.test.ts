import { describe, expect, it } from "@effect/vitest"
import { useTestDatabase } from "../support/testDatabase.js"
import { writeFiles } from "../support/cli.js"
import { cli, useCli, useTempDirs } from "./support.js"

/** `baseline --to <id>`: an existing database adopted in one call. The tests run in order on one database. */

useCli()
const db = useTestDatabase("cli_baseline")
const tempDir = useTempDirs("baseline")

interface Row {
  readonly id: string
  readonly status: string
  readonly checksum: string | null
  readonly duration: number
  readonly applied_at: Date
}

const journal = () => db.current.query<Row>("SELECT id, status, checksum, duration, applied_at FROM migrations ORDER BY id")
const journalExists = async () =>
  (await db.current.query<{ found: boolean }>("SELECT to_regclass('public.migrations') IS NOT NULL AS found"))[0]!.found

const ids = ["20240101000000_a", "20240102000000_b", "20240103000000_c", "20240104000000_d", "20240105000000_e"]

describe("effect-migrate baseline", () => {
  let env: Record<string, string> = {}
  const run = (...args: Array<string>) => cli(args, env)

  it("--dry-run lists what it would record and changes nothing, not even the journal table", async () => {
    const dir = await tempDir()
    // The schema is there already: baseline records the migrations without running them.
    await writeFiles(dir, Object.fromEntries(ids.map((id) => [`${id}.sql`, `CREATE TABLE t_${id.slice(-1)} (id int);\n`])))
    env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
    const result = await run("baseline", "--to", ids[2]!, "--dry-run")
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain("3 migrations to record as applied")
    for (const id of ids.slice(0, 3)) expect(result.stdout).toContain(id)
    expect(result.stdout).not.toContain(ids[3])
    expect(result.stdout).toContain("Nothing was changed.")
    expect(await journalExists()).toBe(false)
  })

  it("an unknown id is refused, naming it, and nothing is written", async () => {
    const result = await run("baseline", "--to", "20240109000000_nope")
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toContain("baseline --to 20240109000000_nope: no migration on disk has this id")
    expect(await journalExists()).toBe(false)
  })

  it("records every migration up to and including the id as applied, with checksums, without running them", async () => {
    const result = await run("baseline", "--to", ids[2]!)
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain(`Recorded 3 migrations as applied (baseline up to ${ids[2]})`)
    const rows = await journal()
    expect(rows.map((row) => [row.id, row.status])).toEqual(ids.slice(0, 3).map((id) => [id, "applied"]))
    for (const row of rows) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/)
    // All in one transaction: one now().
    expect(new Set(rows.map((row) => row.applied_at.getTime())).size).toBe(1)
    const tables = await db.current.query("SELECT 1 FROM pg_tables WHERE tablename LIKE 't\\_%'")
    expect(tables).toEqual([])
  })

  it("further on, applied migrations are left alone and a failed one is recorded as applied", async () => {
    const before = await journal()
    await db.current.query("INSERT INTO migrations (id, name, status, error) VALUES ($1, 'D', 'failed', 'boom')", [ids[3]])
    const result = await run("baseline", "--to", ids[4]!)
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain("Recorded 2 migrations as applied")
    expect(result.stdout).toContain("3 applied already and left alone")
    const rows = await journal()
    expect(rows.slice(0, 3)).toEqual(before)
    expect(rows.slice(3).map((row) => [row.id, row.status])).toEqual([[ids[3], "applied"], [ids[4], "applied"]])

    const again = await run("baseline", "--to", ids[4]!)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("Nothing changed")
    expect(await journal()).toEqual(rows)

    const status = await run("status", "--check")
    expect(status.code, status.stdout + status.stderr).toBe(0)
  })
})
