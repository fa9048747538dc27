import { execFileSync } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, useCli, useTempDir } from "../support/cli.js"
import { startThrowawayServer, type ThrowawayServer, stopThrowawayServers } from "../support/postgres.mjs"

const dirs = useTempDir("ssl")
useCli()
afterAll(stopThrowawayServers)

let server: ThrowawayServer
let certDir: string
let migrationsDir: string

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl (required: see the README). */
const makeCertificate = (dir: string) => {
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", path.join(dir, "server.key"),
    "-out", path.join(dir, "server.crt")
  ], { stdio: "pipe" })
}

beforeAll(async () => {
  certDir = await mkdtemp(path.join(tmpdir(), "em-safety-cert-"))
  makeCertificate(certDir)
  server = await startThrowawayServer({
    password: "tls-admin-pw",
    tls: { cert: await readFile(path.join(certDir, "server.crt"), "utf8"), key: await readFile(path.join(certDir, "server.key"), "utf8") },
    // TLS or nothing over TCP: a plain connection is refused, which shows DATABASE_SSL=false really is plain.
    hba: [
      "local all all trust",
      "hostssl all all 127.0.0.1/32 scram-sha-256",
      "hostnossl all all 127.0.0.1/32 reject",
      ""
    ].join("\n")
  })
  migrationsDir = await dirs.make({ "20240101000000_tls.sql": "CREATE TABLE IF NOT EXISTS tls_t (id int);\n" })
}, 120_000)

afterAll(async () => {
  await rm(certDir, { recursive: true, force: true })
})

const up = (query: string, ssl: string | undefined) =>
  runCli([], {
    DATABASE_URL: server.url(query),
    MIGRATIONS_DIR: migrationsDir,
    RLS_FILE: "none",
    MIGRATION_CONNECT_TIMEOUT: "1000",
    ...(ssl === undefined ? {} : { DATABASE_SSL: ssl })
  })

describe("DATABASE_SSL against a server with a self-signed certificate", () => {
  it("true verifies the certificate: refused when self-signed", async () => {
    const result = await up("", "true")
    expect(result.code, result.output).toBe(3)
    expect(result.output).toMatch(/self[- ]signed certificate/i)
    expect(result.output).not.toContain(server.password)
  })

  it("true accepts the certificate when sslrootcert in the URL names it", async () => {
    const result = await up(`?sslrootcert=${encodeURIComponent(path.join(certDir, "server.crt"))}`, "true")
    expect(result.code, result.output).toBe(0)
  })

  it("no-verify encrypts without verifying", async () => {
    const result = await up("", "no-verify")
    expect(result.code, result.output).toBe(0)
  })

  it("false connects in plain text (refused by this TLS-only server)", async () => {
    const result = await up("", "false")
    expect(result.code, result.output).toBe(3)
    expect(result.output).toMatch(/no encryption|pg_hba\.conf/)
    expect(result.output).not.toContain(server.password)
  })

  it("sslmode in the URL cannot weaken DATABASE_SSL=true", async () => {
    for (const sslmode of ["disable", "no-verify", "require"]) {
      const result = await up(`?sslmode=${sslmode}`, "true")
      expect(result.code, `${sslmode}: ${result.output}`).toBe(3)
      expect(result.output).toMatch(/self[- ]signed certificate/i)
    }
  })

  it("without DATABASE_SSL, the URL's sslmode applies with libpq's meaning", async () => {
    expect((await up("?sslmode=require", undefined)).code).toBe(0)
    const verify = await up("?sslmode=verify-full", undefined)
    expect(verify.code, verify.output).toBe(3)
    expect(verify.output).toMatch(/self[- ]signed certificate/i)
    expect((await up("?sslmode=disable", undefined)).code).toBe(3)
  })
})
