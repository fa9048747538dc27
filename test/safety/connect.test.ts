import { afterAll, describe, expect, it } from "vitest"
import { runQuery } from "../support/testDatabase.js"
import { runCli, startCli, useCli, useTempDir } from "../support/cli.js"
import { freePort, startThrowawayServer, stopThrowawayServers } from "../support/postgres.mjs"

const dirs = useTempDir("connect")
useCli()
afterAll(stopThrowawayServers)

const password = "Late-Start-pw!9"

describe("database not up yet", () => {
  it("retries connection refused until the server is up, then migrates", async () => {
    const dir = await dirs.make({ "20240101000000_first.sql": "CREATE TABLE first_t (id int);\n" })
    const port = await freePort()
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
    const running = startCli([], { DATABASE_URL: url, MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_CONNECT_TIMEOUT: "60000" }, {
      timeoutMs: 90_000
    })
    await running.waitFor("Initializing migration system")
    // initdb and start take a second or more: the CLI meets "connection refused", then "starting up".
    const server = await startThrowawayServer({ port, password })
    const result = await running.result
    expect(result.timedOut, result.output).toBe(false)
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain("1 applied, 0 skipped, 0 failed")
    expect(result.output).not.toContain(password)
    expect(result.output).not.toContain(encodeURIComponent(password))
    expect(await runQuery(server.url(), "SELECT id, status FROM migrations")).toEqual([
      { id: "20240101000000_first", status: "applied" }
    ])
    await server.stop()
  }, 120_000)

  it("gives up after MIGRATION_CONNECT_TIMEOUT with DatabaseUnavailable naming host, port and database (exit 3)", async () => {
    const dir = await dirs.make({ "20240101000000_first.sql": "CREATE TABLE first_t (id int);\n" })
    const port = await freePort()
    const url = `postgres://app:${encodeURIComponent(password)}@127.0.0.1:${port}/appdb`
    for (const format of ["text", "json"]) {
      const result = await runCli([], {
        DATABASE_URL: url,
        MIGRATIONS_DIR: dir,
        RLS_FILE: "none",
        MIGRATION_CONNECT_TIMEOUT: "1500",
        LOG_FORMAT: format
      })
      expect(result.timedOut, result.output).toBe(false)
      expect(result.code, result.output).toBe(3)
      expect(result.output).toContain(`host 127.0.0.1, port ${port}, database appdb`)
      expect(result.output).toContain("ECONNREFUSED")
      expect(result.output).not.toContain(password)
      expect(result.output).not.toContain(encodeURIComponent(password))
      if (format === "json") expect(result.output).toContain(`"error_tag":"DatabaseUnavailable"`)
    }
  })
})
