import { describe, expect, it } from "vitest"
import * as path from "node:path"
import { runCli, useCli, useTempDir, writeFiles } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"

useCli()
const db = useTestDatabase("lint_cli")
const temp = useTempDir("lint")

const createUsers = { "20240101000000_users.sql": "CREATE TABLE users (id int PRIMARY KEY, email text);\n" }
const indexUsers = { "20240102000000_index.sql": "-- name: Index users\nCREATE INDEX users_email ON users (email);\n" }

describe("effect-migrate lint", () => {
  it("exit 0 when clean, 1 on an error-level finding, with file:line:column and a caret", async () => {
    const clean = await temp.make(createUsers)
    const hazard = await temp.make({ ...createUsers, ...indexUsers })
    const [ok, bad] = await Promise.all([
      runCli(["lint", "--all", "--migrations-dir", clean], {}),
      runCli(["lint", "--all", "--migrations-dir", hazard], {})
    ])
    expect(ok.code, ok.output).toBe(0)
    expect(ok.stdout).toContain("1 migration linted: 0 errors, 0 warnings")
    expect(bad.code, bad.output).toBe(1)
    const file = path.relative(process.cwd(), path.join(hazard, "20240102000000_index.sql"))
    expect(bad.stdout).toContain(`${file}:2:1: error [index-without-concurrently]`)
    expect(bad.stdout).toContain("  CREATE INDEX users_email ON users (email);\n  ^\n  blocks: writes, for: scan")
  })

  it("named files are taken as pending: a table the earlier one creates is new", async () => {
    const dir = await temp.make({ ...createUsers, ...indexUsers })
    const both = await runCli(["lint", path.join(dir, "20240101000000_users.sql"), path.join(dir, "20240102000000_index.sql")], {})
    expect(both.code, both.output).toBe(0)
    const one = await runCli(["lint", path.join(dir, "20240102000000_index.sql"), "--format", "github"], {})
    expect(one.code, one.output).toBe(1)
    expect(one.stdout).toMatch(/^::error file=.*20240102000000_index\.sql,line=2,col=1,title=index-without-concurrently::CREATE INDEX/m)
  })

  it("exit 2 on bad usage: an unknown format, an unknown rule to disable, a file that is not a migration", async () => {
    const dir = await temp.make({ ...createUsers, "notes.txt": "hello" })
    const [format, disable, notMigration] = await Promise.all([
      runCli(["lint", "--all", "--migrations-dir", dir, "--format", "xml"], {}),
      runCli(["lint", "--all", "--migrations-dir", dir], { MIGRATION_LINT_DISABLE: "drop-table,no-such-rule" }),
      runCli(["lint", path.join(dir, "notes.txt")], {})
    ])
    expect(format.code, format.output).toBe(2)
    expect(disable.code, disable.output).toBe(2)
    expect(disable.output).toContain("MIGRATION_LINT_DISABLE: unknown rule \"no-such-rule\"")
    expect(notMigration.code, notMigration.output).toBe(2)
    expect(notMigration.output).toContain("notes.txt")
  })

  it("MIGRATION_LINT_DISABLE turns rules off; --format json and sarif carry the findings", async () => {
    const dir = await temp.make({ ...createUsers, ...indexUsers })
    const [disabled, json, sarif] = await Promise.all([
      runCli(["lint", path.join(dir, "20240102000000_index.sql")], { MIGRATION_LINT_DISABLE: "index-without-concurrently" }),
      runCli(["lint", path.join(dir, "20240102000000_index.sql"), "--format", "json"], {}),
      runCli(["lint", path.join(dir, "20240102000000_index.sql"), "--format", "sarif"], {})
    ])
    expect(disabled.code, disabled.output).toBe(0)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject([
      { rule: "index-without-concurrently", line: 2, column: 1, level: "error", blocks: "writes", duration: "scan" }
    ])
    const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> }
    expect(log.runs[0]!.results.map((result) => result.ruleId)).toEqual(["index-without-concurrently"])
  })

  it("lints a .ts migration through its SQL literals, and says what it cannot see", async () => {
    const dir = await temp.make({
      ...createUsers,
      "20240102000000_ts.ts": [
        "export default {",
        "  up: async (db: { query: (text: string) => Promise<unknown> }) => {",
        "    await db.query(`ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()`)",
        "    await db.query(`UPDATE ${'users'} SET email = lower(email) WHERE id > 0`)",
        "    return true",
        "  },",
        "  down: async (db: { query: (text: string) => Promise<unknown> }) => {",
        "    await db.query(`DROP TABLE users`)",
        "    return true",
        "  }",
        "}",
        ""
      ].join("\n")
    })
    const result = await runCli(["lint", path.join(dir, "20240102000000_ts.ts"), "--format", "json"], {})
    expect(result.code, result.output).toBe(1)
    const rules = (JSON.parse(result.stdout) as Array<{ rule: string; line: number; column: number }>)
      .map((finding) => `${finding.rule}@${finding.line}:${finding.column}`)
    expect(rules).toEqual(["add-column-volatile-default@3:61", "not-linted@4:20"])
  })

  it("lints the pending migrations by default: applied ones are learnt from, not reported", async () => {
    const dir = await temp.make({ ...createUsers })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" }
    const up = await runCli(["up"], env)
    expect(up.code, up.output).toBe(0)
    await writeFiles(dir, indexUsers)
    const pending = await runCli(["lint"], env)
    expect(pending.code, pending.output).toBe(1)
    expect(pending.stdout).toContain("1 migration linted: 1 error, 0 warnings")
  })
})
