import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import pg from "pg"
import { freePort } from "../support/freePort.js"

/** Debian's PgBouncer (`apt-get install -y pgbouncer`, as .ci/run does), or why it cannot be used here. */
export const pgbouncerBinary = (): { readonly path: string } | { readonly skip: string } => {
  const binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((candidate) => existsSync(candidate))
  if (binary === undefined) return { skip: "pgbouncer is not installed (apt-get install -y pgbouncer)" }
  try {
    execFileSync("id", ["postgres"], { stdio: "ignore" })
  } catch {
    return { skip: "no postgres user to run pgbouncer as" }
  }
  return { path: binary }
}

export interface Pooler {
  /** `url` with host and port changed to the pooler's. */
  readonly via: (url: string) => string
  readonly stop: () => Promise<void>
}

/**
 * PgBouncer in transaction pooling in front of the server of `serverUrl`, on a free port, with stock settings
 * otherwise (`options` is not in ignore_startup_parameters) and trust authentication.
 */
export const startPgbouncer = async (binary: string, serverUrl: string): Promise<Pooler> => {
  const server = new URL(serverUrl)
  const dir = await mkdtemp(path.join(tmpdir(), "em-pgbouncer-"))
  await chmod(dir, 0o777)
  const port = await freePort()
  // The password (the throwaway server's, empty under trust auth) is what PgBouncer logs in to the server with.
  const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`
  await writeFile(
    path.join(dir, "users.txt"),
    `${quoted(decodeURIComponent(server.username) || "postgres")} ${quoted(decodeURIComponent(server.password))}\n`
  )
  await writeFile(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 500",
      "default_pool_size = 20",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      ""
    ].join("\n")
  )
  await chmod(path.join(dir, "users.txt"), 0o644)
  await chmod(path.join(dir, "pgbouncer.ini"), 0o644)
  const child: ChildProcess = spawn("runuser", ["-u", "postgres", "--", binary, path.join(dir, "pgbouncer.ini")], {
    stdio: "ignore"
  })
  const via = (url: string) => {
    const parsed = new URL(url)
    parsed.hostname = "127.0.0.1"
    parsed.port = String(port)
    return parsed.toString()
  }
  // Ready once it answers a query through the pool.
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: via(serverUrl) })
    try {
      await client.connect()
      await client.query("SELECT 1")
      await client.end()
      break
    } catch (error) {
      await client.end().catch(() => {})
      if (attempt > 100 || child.exitCode !== null) throw new Error(`pgbouncer did not start: ${String(error)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    via,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    }
  }
}
