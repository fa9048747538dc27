import { describe, expect, it } from "@effect/vitest"
import * as path from "node:path"
import { runCli } from "../support/cli.js"
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
