import { afterAll, beforeAll, describe, expect, it } from "vitest"
import pg from "pg"
import { lockKey } from "../../src/database/MigrationLock.js"
import { runQuery } from "../support/testDatabase.js"
import { type CliResult, runCli, useCli, useTempDir, writeFiles } from "../support/cli.js"
import { freePort, startThrowawayServer, type ThrowawayServer, stopThrowawayServers } from "../support/postgres.mjs"

const dirs = useTempDir("secrets")
useCli()
afterAll(stopThrowawayServers)

/** `#` is encoded in a URL (%23), so both spellings are searched for. */
const secret = "Sup3r-S3cret-pw!#"
const wrong = "Wr0ng-S3cret-pw!#"
const role = "em_secret_app"
const forbidden = [secret, encodeURIComponent(secret), wrong, encodeURIComponent(wrong), "S3cret-pw"]

let server: ThrowawayServer
let appUrl: (password?: string, database?: string, query?: string) => string
let migrationsDir: string
let failingDir: string
let rlsDir: string

/** Every output of every path, to be searched for the password at the end. */
const transcripts: Array<{ readonly path: string; readonly result: CliResult }> = []

const run = async (path: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const result = await runCli(args, env)
  transcripts.push({ path, result })
  expect(result.timedOut, `${path}: ${result.output}`).toBe(false)
  return result
}

const tableXExists = async () => {
  const rows = await runQuery<{ exists: boolean }>(appUrl(secret), "SELECT to_regclass('public.x') IS NOT NULL AS exists")
  return rows[0]?.exists === true
}

beforeAll(async () => {
  server = await startThrowawayServer({ password: "throwaway-admin-pw" })
  await runQuery(server.url(), `CREATE ROLE ${role} LOGIN PASSWORD '${secret.replace(/'/g, "''")}'`)
  await runQuery(server.url(), `CREATE DATABASE appdb OWNER ${role}`)
  appUrl = (password = secret, database = "appdb", query = "") =>
    `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${database}${query}`
  await runQuery(appUrl(), "CREATE TABLE x (id int)")
  migrationsDir = await dirs.make({ "20240101000000_create_items.sql": "CREATE TABLE items (id int, user_id int);\n" })
  // The error of this migration quotes its own text, which contains the password.
  failingDir = await dirs.make({
    "20240101000000_create_items.sql": "CREATE TABLE items (id int, user_id int);\n",
    "20240102000000_echo.sql": `SELECT '${secret}'::int;\n`
  })
  rlsDir = await dirs.make({})
  await writeFiles(rlsDir, { "rls.sql": `ALTER TABLE items ENABLE ROW LEVEL SECURITY;\nALTER TABLE no_such_table ENABLE ROW LEVEL SECURITY;\n` })
}, 120_000)

afterAll(() => {
  // Printed for the report: how many bad inputs and failure paths were tried.
  console.log(`[safety] secrets: ${transcripts.length} CLI runs searched for the password`)
})

describe("secrets and injection", () => {
  it("refuses a DATABASE_SCHEMA or table name that is not an identifier (exit 2), and runs nothing", async () => {
    const bad: Array<[string, Record<string, string>, ReadonlyArray<string>]> = [
      ["schema via env", { DATABASE_SCHEMA: "public; DROP TABLE x" }, []],
      ["schema via flag", {}, ["--schema", "public; DROP TABLE x"]],
      ["quoted schema", { DATABASE_SCHEMA: `public"; DROP TABLE x; --` }, []],
      ["table via env", { MIGRATION_TABLE: "migrations; DROP TABLE x" }, []],
      ["table via flag", {}, ["--table", `migrations"; DROP TABLE x; --`]],
      ["empty schema", { DATABASE_SCHEMA: "" }, []],
      ["too long table", { MIGRATION_TABLE: "t".repeat(64) }, []],
      ["schema with dot", { DATABASE_SCHEMA: "app.x" }, []]
    ]
    for (const [path, env, args] of bad) {
      const result = await run(`bad input: ${path}`, args, { DATABASE_URL: appUrl(), MIGRATIONS_DIR: migrationsDir, RLS_FILE: "none", ...env })
      expect(result.code, `${path}: ${result.output}`).toBe(2)
      expect(result.output, path).toMatch(/(DATABASE_SCHEMA|MIGRATION_TABLE) must be a plain identifier/)
      expect(result.output, path).not.toContain("Database migration process started")
    }
    expect(await tableXExists()).toBe(true)
    const [{ journal }] = await runQuery<{ journal: boolean }>(
      appUrl(),
      "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'migrations') AS journal"
    ) as [{ journal: boolean }]
    expect(journal).toBe(false)
  })

  it("never prints the password, on any failure path", async () => {
    const base = { MIGRATIONS_DIR: migrationsDir, RLS_FILE: "none" }
    for (const format of ["text", "json"]) {
      const env = { ...base, LOG_FORMAT: format }
      const label = (path: string) => `${path} (${format})`

      const wrongPassword = await run(label("wrong password"), [], { ...env, DATABASE_URL: appUrl(wrong) })
      expect(wrongPassword.code, wrongPassword.output).toBe(3)
      expect(wrongPassword.output).toMatch(/password authentication failed|28P01/)

      const unreachable = await run(label("unreachable"), [], {
        ...env,
        DATABASE_URL: `postgres://${role}:${encodeURIComponent(secret)}@127.0.0.1:${await freePort()}/appdb`,
        MIGRATION_CONNECT_TIMEOUT: "1000"
      })
      expect(unreachable.code, unreachable.output).toBe(3)

      const noDatabase = await run(label("missing database"), [], { ...env, DATABASE_URL: appUrl(secret, "no_such_db") })
      expect(noDatabase.code, noDatabase.output).toBe(3)

      const tlsRefused = await run(label("TLS required, server without TLS"), [], {
        ...env,
        DATABASE_URL: appUrl(secret, "appdb", "?sslmode=verify-full")
      })
      expect(tlsRefused.code, tlsRefused.output).toBe(3)

      const badUrl = await run(label("unparseable URL"), [], { ...env, DATABASE_URL: `postgres://${role}:${secret}@127.0.0.1:notaport/appdb` })
      expect([2, 3], badUrl.output).toContain(badUrl.code)

      const badSchema = await run(label("bad schema"), [], { ...env, DATABASE_URL: appUrl(), DATABASE_SCHEMA: "public; DROP TABLE x" })
      expect(badSchema.code, badSchema.output).toBe(2)

      const badTimeout = await run(label("bad MIGRATION_TIMEOUT"), [], { ...env, DATABASE_URL: appUrl(), MIGRATION_TIMEOUT: "soon" })
      expect(badTimeout.code, badTimeout.output).toBe(2)

      const flagUrl = await run(label("wrong password via --database-url"), ["--database-url", appUrl(wrong)], env)
      expect(flagUrl.code, flagUrl.output).toBe(3)

      const flagAndBadOption = await run(label("--database-url and a bad flag"), ["--database-url", appUrl(wrong), "--log-format", "xml"], env)
      expect(flagAndBadOption.code, flagAndBadOption.output).toBe(2)

      const failing = await run(label("failing migration echoing its text"), [], {
        ...env,
        MIGRATIONS_DIR: failingDir,
        DATABASE_URL: appUrl()
      })
      expect(failing.code, failing.output).toBe(1)
      expect(failing.output).toContain("22P02")

      const holder = new pg.Client({ connectionString: appUrl() })
      await holder.connect()
      try {
        await holder.query(`SELECT pg_advisory_lock(${lockKey("public", "migrations")}::bigint)`)
        const locked = await run(label("lock timeout"), [], { ...env, DATABASE_URL: appUrl(), MIGRATION_LOCK_WAIT: "500" })
        expect(locked.code, locked.output).toBe(3)
      } finally {
        await holder.end()
      }

      const rlsFailure = await run(label("RLS statement failure"), [], {
        ...env,
        DATABASE_URL: appUrl(),
        RLS_FILE: `${rlsDir}/rls.sql`
      })
      expect(rlsFailure.code, rlsFailure.output).toBe(1)

      const rlsMissing = await run(label("RLS file missing"), [], { ...env, DATABASE_URL: appUrl(), RLS_FILE: `${rlsDir}/none.sql` })
      expect(rlsMissing.code, rlsMissing.output).toBe(1)

      const strict = await run(label("strict RLS coverage"), [], { ...env, DATABASE_URL: appUrl(), MIGRATION_VALIDATE: "strict", RLS_FILE: "none" })
      expect(strict.code, strict.output).not.toBe(2)

      await run(label("status"), ["status"], { ...env, DATABASE_URL: appUrl() })
      await run(label("status --json"), ["status", "--json"], { ...env, DATABASE_URL: appUrl() })
      const statusWrong = await run(label("status, wrong password"), ["status"], { ...env, DATABASE_URL: appUrl(wrong) })
      expect(statusWrong.code, statusWrong.output).toBe(3)
      const statusBadSchema = await run(label("status, bad schema"), ["status"], { ...env, DATABASE_URL: appUrl(), DATABASE_SCHEMA: "x;y" })
      expect(statusBadSchema.code, statusBadSchema.output).toBe(2)
      await run(label("up --dry-run"), ["up", "--dry-run"], { ...env, DATABASE_URL: appUrl() })
      await run(label("verify"), ["verify"], { ...env, DATABASE_URL: appUrl() })
      await run(label("unknown migration"), ["up", "--migration", "nope"], { ...env, DATABASE_URL: appUrl() })
    }

    const leaks = transcripts.flatMap(({ path, result }) =>
      forbidden.filter((text) => result.output.includes(text)).map((text) => `${path}: ${text}\n${result.output}`)
    )
    expect(leaks).toEqual([])
    // The runs that reached the database did not break it.
    expect(await tableXExists()).toBe(true)
  }, 180_000)
})
