import { execFile } from "node:child_process"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const postgresModule = path.resolve("test/support/postgres.mjs")

/** A process that starts a throwaway server, runs a query, sets its exit code and lets its event loop empty. */
const script = `
import pg from "pg"
const { startThrowawayServer } = await import(${JSON.stringify(postgresModule)})
const server = await startThrowawayServer()
const client = new pg.Client({ connectionString: server.url() })
await client.connect()
const { rows } = await client.query("SELECT 1 AS one")
await client.end()
if (process.argv[1] === "stop") await server.stop()
console.log(JSON.stringify({ one: rows[0].one, port: server.port }))
process.exitCode = 3
`

const run = (mode: "stop" | "leave") =>
  new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ["--input-type=module", "-e", script, mode], { cwd: process.cwd() }, (_error, stdout) =>
      resolve({ code: child.exitCode, stdout }))
  })

describe("the throwaway PostgreSQL of the test set-up and the bench", () => {
  it("leaves the exit code of the process that started it alone, whether it stops the server or not", async () => {
    for (const mode of ["stop", "leave"] as const) {
      const result = await run(mode)
      expect(result.stdout, mode).toContain(`"one":1`)
      expect(result.code, mode).toBe(3)
    }
  }, 60_000)
})
