import pg from "pg"
import { describe, expect, it } from "vitest"
import { useTestDatabase } from "../support/testDatabase.js"
import { jsonLines, runCli, startCli, useCli, useTempDir, writeFiles } from "../support/cli.js"

const db = useTestDatabase("safety_lock_timeout")
const dirs = useTempDir("locktimeout")
useCli()

/** Another session (production traffic, say) holding ACCESS EXCLUSIVE on a table, until released. */
const holdTable = async (table: string) => {
  const client = new pg.Client({ connectionString: db.current.url })
  await client.connect()
  await client.query("BEGIN")
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)
  return {
    release: async () => {
      await client.query("COMMIT")
      await client.end()
    }
  }
}

describe("MIGRATION_LOCK_TIMEOUT", () => {
  it("retries a migration that hits lock_timeout (55P03) with backoff, then fails clearly", async () => {
    const dir = await dirs.make({ "20240101000000_accounts.sql": "CREATE TABLE accounts (id int);\n" })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", LOG_FORMAT: "json" }
    expect((await runCli([], env)).code).toBe(0)
    await writeFiles(dir, { "20240102000000_add_email.sql": "ALTER TABLE accounts ADD COLUMN email text;\n" })

    const holder = await holdTable("accounts")
    try {
      const result = await runCli([], { ...env, MIGRATION_LOCK_TIMEOUT: "200", MIGRATION_LOCK_RETRIES: "2" })
      expect(result.code, result.output).toBe(1)
      const events = jsonLines(result.stdout)
      const retries = events.filter((event) => event.event === "db_migration_lock_retry")
      expect(retries.map((event) => [event.attempt, event.retries])).toEqual([[1, 2], [2, 2]])
      expect(retries.map((event) => event.delay_ms)).toEqual([500, 1000])
      const failed = events.find((event) => event.event === "db_migration_failed")
      expect(failed).toMatchObject({
        migration_id: "20240102000000_add_email",
        code: "55P03",
        error: expect.stringMatching(/lock timeout/i),
        hint: expect.stringMatching(/MIGRATION_LOCK_TIMEOUT/),
        statement_preview: "ALTER TABLE accounts ADD COLUMN email text"
      })
      const [row] = await db.current.query<{ status: string; error: string }>(
        "SELECT status, error FROM migrations WHERE id = '20240102000000_add_email'"
      )
      expect(row?.status).toBe("failed")
      expect(row?.error).toContain("55P03")
    } finally {
      await holder.release()
    }
    const columns = await db.current.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'")
    expect(columns).toEqual([])
  })

  it("succeeds when the other session lets go during the retries", async () => {
    const dir = await dirs.make({ "20240101000000_orders.sql": "CREATE TABLE orders (id int);\n" })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "journal_b" }
    expect((await runCli([], env)).code).toBe(0)
    await writeFiles(dir, { "20240102000000_add_total.sql": "ALTER TABLE orders ADD COLUMN total numeric;\n" })

    const holder = await holdTable("orders")
    const running = startCli([], { ...env, MIGRATION_LOCK_TIMEOUT: "200", MIGRATION_LOCK_RETRIES: "5" })
    await running.waitFor("retry 1/5")
    await holder.release()
    const result = await running.result
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/\[WARN(ING)?\] ⏳ Migration Add Total could not get a table lock in time; retry 1\/5 in 500ms/)
    expect(result.stdout).toContain("✅ Migration Add Total: APPLIED")
    const [row] = await db.current.query<{ status: string }>("SELECT status FROM journal_b WHERE id = '20240102000000_add_total'")
    expect(row?.status).toBe("applied")
  })

  it("retries a migration that hits lock_timeout inside a group of SQL migrations, after the ones before it committed", async () => {
    const dir = await dirs.make({ "20240101000000_carts.sql": "CREATE TABLE carts (id int);\n" })
    const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_TABLE: "journal_c", LOG_FORMAT: "json" }
    expect((await runCli([], env)).code).toBe(0)
    // Three pending: sent as [widgets] then [gadgets, add_note]; add_note waits on the lock held below.
    await writeFiles(dir, {
      "20240102000000_widgets.sql": "CREATE TABLE widgets (id int);\n",
      "20240103000000_gadgets.sql": "CREATE TABLE gadgets (id int);\n",
      "20240104000000_add_note.sql": "ALTER TABLE carts ADD COLUMN note text;\n"
    })
    const holder = await holdTable("carts")
    const running = startCli([], { ...env, MIGRATION_LOCK_TIMEOUT: "200", MIGRATION_LOCK_RETRIES: "5" })
    await running.waitFor("db_migration_lock_retry")
    await holder.release()
    const result = await running.result
    expect(result.code, result.output).toBe(0)
    const events = jsonLines(result.stdout)
    expect(events.filter((event) => event.event === "db_migration_applied").map((event) => event.migration_id)).toEqual([
      "20240102000000_widgets",
      "20240103000000_gadgets",
      "20240104000000_add_note"
    ])
    expect(events.find((event) => event.event === "db_migration_lock_retry")).toMatchObject({
      migration_id: "20240104000000_add_note",
      attempt: 1,
      retries: 5
    })
    const rows = await db.current.query<{ id: string; status: string }>("SELECT id, status FROM journal_c ORDER BY id")
    expect(rows.map((row) => row.status)).toEqual(["applied", "applied", "applied", "applied"])
  })
})

