import { describe, expect, it } from "vitest"
import { runCli, useCli, useTempDir } from "../support/cli.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("lock_session_reset")
const dirs = useTempDir("session-reset")
useCli()

describe("each migration starts from the session's defaults (issue 14)", () => {
  it("a SET of one migration does not reach the next, in a group, alone or outside a transaction; a cleared search_path neither", async () => {
    const [{ TimeZone: serverZone }] = await db.current.query<{ TimeZone: string }>("SHOW TimeZone") as [{ TimeZone: string }]
    const zone = serverZone === "Asia/Tokyo" ? "America/Lima" : "Asia/Tokyo"
    const dir = await dirs.make({
      "20240101000000_sets.sql": `SET timezone = '${zone}';\nCREATE TABLE seen (migration text, zone text);\n`,
      "20240101000001_reads.sql": "INSERT INTO seen VALUES ('grouped', current_setting('TimeZone'));\n",
      "20240101000002_sets_again.sql": `SET timezone = '${zone}';\n`,
      "20240101000003_outside.sql": "-- transaction: false\nINSERT INTO seen VALUES ('outside', current_setting('TimeZone'));\n",
      "20240101000004_sets_legacy.ts": `export default async (db) => { await db.query("SET timezone = '${zone}'"); return true }\n`,
      "20240101000005_after_code.sql": "INSERT INTO seen VALUES ('after code', current_setting('TimeZone'));\n",
      "20240101000006_dump.sql": "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.dumped (id int);\n",
      "20240101000007_unqualified.sql": "CREATE TABLE after_dump (id int);\n"
    })
    const result = await runCli([], { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: "none" })
    expect(result.code, result.output).toBe(0)
    expect(await db.current.query("SELECT migration, zone FROM seen ORDER BY migration")).toEqual([
      { migration: "after code", zone: serverZone },
      { migration: "grouped", zone: serverZone },
      { migration: "outside", zone: serverZone }
    ])
    expect(await db.current.query("SELECT to_regclass('public.after_dump') IS NOT NULL AS created")).toEqual([{ created: true }])
  }, 60_000)
})
