import { describe, expect, it } from "@effect/vitest"
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { useTestDatabase } from "../support/testDatabase.js"
import { cli, useCli, useTempDirs } from "./support.js"

/** The .ts template imports `effect-migrate`: it must load from a directory outside any project, too. */

useCli()
const db = useTestDatabase("cli_template")
const tempDir = useTempDirs("template")

describe("create (TypeScript template)", () => {
  it("loads, applies and reverts from a directory with no package.json and no node_modules", async () => {
    const dir = path.join(await tempDir(), "db", "migrations")
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
    const created = await cli(["create", "Add Widgets"], env)
    expect(created.code, created.stderr).toBe(0)
    const file = created.stdout.trim()
    const id = path.basename(file, ".ts")
    expect(id).toMatch(/^\d{14}_add_widgets$/)
    expect(await readFile(file, "utf8")).toContain(`name: "Add Widgets"`)

    const status = await cli(["status", "--json"], env)
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout).migrations).toMatchObject([{ id, name: "Add Widgets", state: "pending" }])

    const up = await cli([], env)
    expect(up.code, up.stdout + up.stderr).toBe(0)
    expect(up.stdout).toContain("✅ Migration Add Widgets: APPLIED")
    const down = await cli(["down"], env)
    expect(down.code, down.stdout + down.stderr).toBe(0)
    expect(down.stdout).toContain("↩️ Migration Add Widgets: REVERTED")
    expect(await db.current.query("SELECT id FROM migrations")).toEqual([])
  })

  it("loads in a CommonJS project (no \"type\": \"module\") that has effect-migrate installed", async () => {
    const project = await tempDir()
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true }))
    await mkdir(path.join(project, "node_modules"))
    await symlink(process.cwd(), path.join(project, "node_modules", "effect-migrate"), "dir")
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: path.join(project, "migrations"), MIGRATION_TABLE: "cjs_journal" }
    expect((await cli(["create", "add_gadgets"], env)).code).toBe(0)
    const status = await cli(["status", "--json"], env)
    expect(status.code, status.stdout + status.stderr).toBe(0)
    expect(JSON.parse(status.stdout).migrations).toMatchObject([{ name: "Add Gadgets", state: "pending" }])
  })
  it("reads a legacy module's named exports (name, description, down) outside a \"type\": \"module\" package", async () => {
    const dir = await tempDir({
      "20240104000000_add_prefs.ts": [
        `export const name = "Add User Preferences"`,
        `export const description = "Per-user settings"`,
        `export default async function up(db: { query: (text: string) => Promise<unknown> }) {`,
        `  await db.query("CREATE TABLE prefs (id int)")`,
        `  return true`,
        `}`,
        `export async function down(db: { query: (text: string) => Promise<unknown> }) {`,
        `  await db.query("DROP TABLE prefs")`,
        `  return true`,
        `}`
      ].join("\n")
    })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "legacy_journal" }
    const up = await cli([], env)
    expect(up.code, up.stdout + up.stderr).toBe(0)
    expect(up.stdout).toContain("✅ Migration Add User Preferences: APPLIED")
    const down = await cli(["down"], env)
    expect(down.code, down.stdout + down.stderr).toBe(0)
    expect(await db.current.query("SELECT to_regclass('prefs') AS t")).toEqual([{ t: null }])
  })
})
