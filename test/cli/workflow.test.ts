import { describe, expect, it } from "@effect/vitest"
import { readdir, readFile, rm, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { useTestDatabase } from "../support/testDatabase.js"
import { cli, jsonLines, useCli, useTempDirs } from "./support.js"

/**
 * An operator's day with the real binary against a real server: create, status, up --dry-run, up, down,
 * mark-applied, mark-failed, reset, verify, repair. The tests run in order on one database.
 */

useCli()
const db = useTestDatabase("cli_workflow")
const tempDir = useTempDirs("workflow")

interface JournalRow {
  readonly id: string
  readonly status: string
  readonly checksum: string | null
  readonly error: string | null
}

const journal = () => db.current.query<JournalRow>("SELECT id, status, checksum, error FROM migrations ORDER BY id")
const tableExists = async (name: string) =>
  (await db.current.query<{ exists: boolean }>("SELECT to_regclass($1) IS NOT NULL AS exists", [name]))[0]!.exists

interface StatusJson {
  readonly schema: string
  readonly upToDate: boolean
  readonly summary: Record<string, number>
  readonly migrations: ReadonlyArray<{
    readonly id: string
    readonly name: string
    readonly state: string
    readonly appliedAt: string | null
    readonly durationMs: number | null
    readonly error: string | null
  }>
}

describe("effect-migrate, one operator workflow", () => {
  let dir = ""
  let env: Record<string, string> = {}
  const ids: Array<string> = []
  const run = (...args: Array<string>) => cli(args, env)
  const status = async () => {
    const result = await run("status", "--json")
    expect(result.code).toBe(0)
    return JSON.parse(result.stdout) as StatusJson
  }
  const fileOf = (id: string) => path.join(dir, `${id}.sql`)

  it("create writes timestamped .sql and .ts migrations with up and down, creating MIGRATIONS_DIR", async () => {
    dir = path.join(await tempDir(), "migrations")
    env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: path.join(dir, "..", "rls.sql") }
    await writeFile(env.RLS_FILE!, "ALTER TABLE IF EXISTS colors ENABLE ROW LEVEL SECURITY;\nSELECT 1;\n")

    for (const name of ["create colors", "create sizes", "seed colors"]) {
      const created = await run("create", name, "--sql")
      expect(created.code, created.stderr).toBe(0)
      const file = created.stdout.trim()
      expect(path.dirname(file)).toBe(dir)
      expect(path.basename(file)).toMatch(/^\d{14}_[a-z_]+\.sql$/)
      ids.push(path.basename(file, ".sql"))
    }
    expect(ids.map((id) => id.replace(/^\d+_/, ""))).toEqual(["create_colors", "create_sizes", "seed_colors"])
    // Created in the same second or not, each sorts after the one before.
    expect([...ids].sort()).toEqual(ids)
    const template = await readFile(fileOf(ids[0]!), "utf8")
    expect(template).toMatch(/^-- name: Create Colors$/m)
    expect(template).toMatch(/^-- migrate:up$/m)
    expect(template).toMatch(/^-- migrate:down$/m)

    const [ts, bad] = await Promise.all([run("create", "add_user_color"), run("create", "!!!")])
    expect(ts.code, ts.stderr).toBe(0)
    const tsFile = ts.stdout.trim()
    expect(tsFile).toMatch(/\d{14}_add_user_color\.ts$/)
    const tsText = await readFile(tsFile, "utf8")
    expect(tsText).toContain(`import { Migration } from "effect-migrate"`)
    expect(tsText).toContain("Migration.make({")
    expect(tsText).toMatch(/\bup: Effect\.gen/)
    expect(tsText).toMatch(/\bdown: Effect\.gen/)
    expect(tsText).toContain(`id: "${path.basename(tsFile, ".ts")}"`)
    expect(tsText).toContain(`name: "Add User Color"`)

    expect(bad.code).toBe(2)
    expect(await readdir(dir)).toHaveLength(4)

    // The migrations of this workflow: two reversible ones, and a data migration without down.
    await rm(tsFile)
    await writeFile(fileOf(ids[0]!), "-- name: Create Colors\nCREATE TABLE colors (id int PRIMARY KEY, name text);\n-- migrate:down\nDROP TABLE colors;\n")
    await writeFile(fileOf(ids[1]!), "-- name: Create Sizes\nCREATE TABLE sizes (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE sizes;\n")
    await writeFile(fileOf(ids[2]!), "-- name: Seed Colors\nINSERT INTO colors VALUES (1, 'red') ON CONFLICT DO NOTHING;\n")
  })

  it("status --json lists every migration as pending, and --check exits 1", async () => {
    const [before, check] = await Promise.all([status(), run("status", "--check")])
    expect(before.upToDate).toBe(false)
    expect(before.summary).toMatchObject({ total: 3, pending: 3, applied: 0 })
    expect(before.migrations.map((m) => [m.id, m.name, m.state])).toEqual([
      [ids[0], "Create Colors", "pending"],
      [ids[1], "Create Sizes", "pending"],
      [ids[2], "Seed Colors", "pending"]
    ])
    expect(check.code).toBe(1)
    expect(check.stdout).toContain("3 migrations: 0 applied, 3 pending, 0 failed, 0 changed, 0 missing")
    // Piped: plain text, no colour codes.
    expect(check.stdout).not.toContain("\x1b[")
  })

  it("up --dry-run prints ids, names and SQL, and changes nothing (not even the journal table)", async () => {
    const [dry, to] = await Promise.all([run("up", "--dry-run"), run("up", "--dry-run", `--to=${ids[1]}`, "--no-rls")])
    expect(dry.code, dry.stderr).toBe(0)
    for (const id of ids) expect(dry.stdout).toContain(id)
    expect(dry.stdout).toContain("Create Sizes")
    expect(dry.stdout).toContain("CREATE TABLE colors (id int PRIMARY KEY, name text);")
    expect(dry.stdout).toContain("INSERT INTO colors VALUES (1, 'red') ON CONFLICT DO NOTHING;")
    expect(dry.stdout).toMatch(/RLS: 2 statements/)
    expect(await tableExists("public.migrations")).toBe(false)
    expect(await tableExists("public.colors")).toBe(false)

    expect(to.stdout).toMatch(/2 migrations would be applied/)
    expect(to.stdout).toContain(`Not selected (stay pending): ${ids[2]}`)
    expect(to.stdout).toContain("RLS: skipped")
  })

  it("up --to applies up to and including the id; up applies the rest and the RLS file", async () => {
    const partial = await run("up", `--to=${ids[1]}`, "--no-rls")
    expect(partial.code, partial.stdout + partial.stderr).toBe(0)
    expect(partial.stdout).not.toContain("RLS")
    expect((await journal()).map((row) => [row.id, row.status])).toEqual([[ids[0], "applied"], [ids[1], "applied"]])

    const rest = await run()
    expect(rest.code, rest.stdout + rest.stderr).toBe(0)
    expect(rest.stdout).toContain("✅ Migration Seed Colors: APPLIED")
    expect(rest.stdout).toMatch(/RLS migration completed in \d+ms \(2 succeeded, 0 failed\)/)
    expect(rest.stdout).not.toContain("\r")

    const after = await status()
    expect(after.upToDate).toBe(true)
    for (const migration of after.migrations) {
      expect(migration.state).toBe("applied")
      expect(Number.isNaN(Date.parse(migration.appliedAt ?? ""))).toBe(false)
      expect(migration.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect((await run("status", "--check")).code).toBe(0)
  })

  it("down refuses, before changing anything, when a migration to revert has no down", async () => {
    const [refused, refusedTwo] = await Promise.all([run("down"), run("down", "--steps=3")])
    expect(refused.code).toBe(2)
    expect(refused.stdout + refused.stderr).toMatch(new RegExp(`${ids[2]} has no down migration .*; nothing was changed`))
    expect((await journal()).every((row) => row.status === "applied")).toBe(true)
    expect((await journal()).length).toBe(3)

    expect(refusedTwo.code).toBe(2)
    expect((await journal()).length).toBe(3)
    expect(await tableExists("public.sizes")).toBe(true)
  })

  it("reset removes a journal row and says so; an unknown id is an error (exit 2)", async () => {
    const reset = await run("reset", ids[2]!)
    expect(reset.code, reset.stdout + reset.stderr).toBe(0)
    expect(reset.stdout).toContain(`Reset ${ids[2]} (Seed Colors): removed its journal row (was applied)`)
    expect((await journal()).map((row) => row.id)).toEqual([ids[0], ids[1]])

    const unknown = await Promise.all(["reset", "mark-applied", "mark-failed"].map((command) => run(command, "20990101000000_nope")))
    for (const result of unknown) {
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).toContain("20990101000000_nope")
    }
    expect((await journal()).length).toBe(2)
  })

  it("down --dry-run shows the plan; down reverts the newest applied migration through its down", async () => {
    const dry = await run("down", "--dry-run")
    expect(dry.code, dry.stdout + dry.stderr).toBe(0)
    expect(dry.stdout).toContain(`1. ${ids[1]}  Create Sizes`)
    expect(dry.stdout).toContain("DROP TABLE sizes;")
    expect((await journal()).length).toBe(2)

    const down = await run("down")
    expect(down.code, down.stdout + down.stderr).toBe(0)
    expect(down.stdout).toMatch(/↩️ Migration Create Sizes: REVERTED \(\d+ms\)/)
    expect(down.stdout).toContain("Rollback results: 1 reverted, 0 failed")
    expect(await tableExists("public.sizes")).toBe(false)
    expect((await journal()).map((row) => row.id)).toEqual([ids[0]])
  })

  it("mark-applied records a migration without running it", async () => {
    const marked = await run("mark-applied", ids[1]!)
    expect(marked.code, marked.stdout + marked.stderr).toBe(0)
    expect(marked.stdout).toContain(`Marked ${ids[1]} (Create Sizes) as applied (was pending`)
    expect(await tableExists("public.sizes")).toBe(false)
    const row = (await journal()).find((entry) => entry.id === ids[1])
    expect(row?.status).toBe("applied")
    expect(row?.checksum).toMatch(/^[0-9a-f]{64}$/)

    const again = await run("mark-applied", ids[1]!)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("Nothing changed")
  })

  it("mark-failed sets the row failed (status shows it, --check exits 1); the next up runs it again", async () => {
    const marked = await run("mark-failed", ids[1]!)
    expect(marked.code, marked.stdout + marked.stderr).toBe(0)
    expect(marked.stdout).toContain(`Marked ${ids[1]} (Create Sizes) as failed (was applied)`)
    expect((await journal()).find((entry) => entry.id === ids[1])?.status).toBe("failed")
    const [shown, check] = await Promise.all([status(), run("status", "--check")])
    expect(shown.migrations.find((m) => m.id === ids[1])?.state).toBe("failed")
    expect(shown.summary.failed).toBe(1)
    expect(check.code).toBe(1)

    const up = await run("up", `--migration=${ids[1]}`, "--no-rls")
    expect(up.code, up.stdout + up.stderr).toBe(0)
    expect(await tableExists("public.sizes")).toBe(true)
  })

  it("status shows a failed migration with its recorded error", async () => {
    await writeFile(fileOf(ids[2]!), "-- name: Seed Colors\nINSERT INTO colours VALUES (1, 'red');\n")
    const up = await run("up", "--no-rls")
    expect(up.code).toBe(1)
    const [shown, table] = await Promise.all([status(), run("status")])
    const failed = shown.migrations.find((m) => m.id === ids[2])
    expect(failed?.state).toBe("failed")
    expect(failed?.error).toMatch(/relation "colours" does not exist/)
    expect(table.stdout).toMatch(/failed/)
    expect(table.stdout).toMatch(/relation "colours" does not exist/)
    await writeFile(fileOf(ids[2]!), "-- name: Seed Colors\nINSERT INTO colors VALUES (1, 'red') ON CONFLICT DO NOTHING;\n")
    expect((await run("up", "--no-rls")).code).toBe(0)
  })

  it("verify names an applied migration whose file was edited (exit 1); repair accepts it", async () => {
    expect((await run("verify")).code).toBe(0)
    const recorded = (await journal()).find((entry) => entry.id === ids[0])!.checksum
    await writeFile(
      fileOf(ids[0]!),
      "-- name: Create Colors\n-- a comment added later\nCREATE TABLE colors (id int PRIMARY KEY, name text);\n-- migrate:down\nDROP TABLE colors;\n"
    )
    const [drift, shown, check] = await Promise.all([run("verify"), status(), run("status", "--check")])
    expect(drift.code).toBe(1)
    expect(drift.stdout).toMatch(new RegExp(`CHANGED\\s+${ids[0]}\\s+Create Colors`))
    expect(drift.stdout).not.toContain(ids[1]!)
    expect(shown.migrations.find((m) => m.id === ids[0])?.state).toBe("changed")
    expect(check.code).toBe(1)

    const repair = await run("repair")
    expect(repair.code, repair.stdout + repair.stderr).toBe(0)
    expect(repair.stdout).toContain(`Repaired ${ids[0]} (Create Colors)`)
    expect(repair.stdout).toContain("Repaired 1 checksum")
    expect((await journal()).find((entry) => entry.id === ids[0])!.checksum).not.toBe(recorded)
    const [verified, checked, nothing] = await Promise.all([run("verify"), run("status", "--check"), run("repair")])
    expect(verified.code).toBe(0)
    expect(checked.code).toBe(0)
    expect(nothing.stdout).toContain("Nothing to repair")
  })

  it("status shows a journal row without a file as missing; --check exits 1; verify names it", async () => {
    await db.current.query(
      "INSERT INTO migrations (id, name, description, applied_at, duration, status) VALUES ('20200101000000_gone', 'Gone', NULL, now(), 5, 'applied')"
    )
    const [shown, check, verify] = await Promise.all([status(), run("status", "--check"), run("verify")])
    expect(shown.migrations.find((m) => m.id === "20200101000000_gone")).toMatchObject({ state: "missing", name: "Gone", durationMs: 5 })
    expect(shown.summary.missing).toBe(1)
    expect(check.code).toBe(1)
    expect(verify.code).toBe(1)
    expect(verify.stdout).toMatch(/MISSING\s+20200101000000_gone/)
    const reset = await run("reset", "20200101000000_gone")
    expect(reset.code).toBe(0)
    expect((await run("status", "--check")).code).toBe(0)
  })

  it("down --to=<id> reverts everything after the id, newest first, keeping the id itself", async () => {
    await writeFile(fileOf(ids[2]!), "-- name: Seed Colors\nINSERT INTO colors VALUES (1, 'red') ON CONFLICT DO NOTHING;\n-- migrate:down\nDELETE FROM colors WHERE id = 1;\n")
    expect((await run("repair")).code).toBe(0)
    const down = await run("down", `--to=${ids[0]}`, "--log-format=json")
    expect(down.code, down.stdout + down.stderr).toBe(0)
    const reverted = jsonLines(down.stdout).filter((line) => line.event === "db_migration_reverted")
    expect(reverted.map((line) => line.migration_id)).toEqual([ids[2], ids[1]])
    expect((await journal()).map((row) => row.id)).toEqual([ids[0]])
    expect(await tableExists("public.colors")).toBe(true)
    expect(await tableExists("public.sizes")).toBe(false)

    const unknown = await run("down", "--to=20990101000000_nope")
    expect(unknown.code).toBe(2)
  })
})
