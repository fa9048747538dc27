// The consumer test: packs effect-migrate, installs the tarball into a temporary copy of this app (with the app's
// pinned Effect 3 packages, --strict-peer-deps), type-checks it under NodeNext and Bundler, starts it on PostgreSQL
// and on pglite:, runs the installed bin, and runs the app's vitest file. Run by .ci/run after `npm test`.
// CONSUMER_EFFECT=3.21 installs the previous Effect minor's packages instead of the app's pins.
import { execFileSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { providePostgres, withDatabase } from "../support/postgres.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../..")
const sets = {
  "3.21": [
    "effect@3.21.5",
    "@effect/platform@0.96.3",
    "@effect/sql@0.51.1",
    "@effect/sql-pg@0.52.1",
    "@effect/experimental@0.60.0",
    "@effect/vitest@0.29.0"
  ]
}
const effectSet = process.env.CONSUMER_EFFECT
const log = (line) => console.log(`[consumer] ${line}`)

const run = (command, args, options = {}) => {
  log(`$ ${command} ${args.join(" ")}`)
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })
}

const registryReachable = () => {
  try {
    execFileSync("npm", ["ping"], { stdio: "ignore", timeout: 20_000 })
    return true
  } catch {
    return false
  }
}

const sizeOf = (dir) => {
  let bytes = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    bytes += entry.isDirectory() ? sizeOf(full) : entry.isFile() ? statSync(full).size : 0
  }
  return bytes
}

if (!registryReachable()) {
  log("SKIPPED: the npm registry is unreachable (npm ping failed), so the app's packages cannot be installed")
  process.exit(0)
}

const work = mkdtempSync(path.join(tmpdir(), "effect-migrate-consumer-"))
const app = path.join(work, "app")
const server = await providePostgres()
const database = `consumer_${process.pid}`
const admin = new pg.Client({ connectionString: server.adminUrl })
try {
  const tarball = path.join(work, run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: root }).trim().split("\n").pop())
  log(`tarball ${path.basename(tarball)}: ${(statSync(tarball).size / 1024).toFixed(0)} kB`)
  cpSync(here, app, { recursive: true, filter: (source) => !/(node_modules|dist|run\.mjs)$/.test(source) })
  const installArgs = ["install", "--strict-peer-deps", "--no-audit", "--no-fund", "--ignore-scripts", tarball]
  run("npm", effectSet === undefined ? installArgs : [...installArgs, ...sets[effectSet]], { cwd: app })
  const effectVersion = run("node", ["-p", "require('effect/package.json').version"], { cwd: app }).trim()
  const packages = run("npm", ["ls", "--all", "--parseable", "--omit=dev"], { cwd: app }).trim().split("\n").length - 1
  log(`installed on effect ${effectVersion}: node_modules ${(sizeOf(path.join(app, "node_modules")) / 1e6).toFixed(1)} MB (dev tools included), ${packages} production packages`)

  const tsc = path.join(app, "node_modules/.bin/tsc")
  run(tsc, ["--noEmit", "-p", "tsconfig.json"], { cwd: app })
  run(tsc, ["--noEmit", "-p", "tsconfig.bundler.json"], { cwd: app })
  // The flags that used to fail on our sources when `types` pointed at src/: declarations are not checked against them.
  run(tsc, ["--noEmit", "-p", "tsconfig.strictest.json"], { cwd: app })
  log("tsc --noEmit: clean under module NodeNext and under moduleResolution Bundler (strict), and with the strictest flags")
  run(tsc, ["-p", "tsconfig.json"], { cwd: app })

  await admin.connect()
  await admin.query(`CREATE DATABASE ${database}`)
  const env = (url) => ({ ...process.env, DATABASE_URL: url, MIGRATIONS_DIR: "migrations", RLS_FILE: "none" })
  const postgresUrl = withDatabase(server.adminUrl, database)
  const expectIn = (output, text, what) => {
    if (!output.includes(text)) throw new Error(`${what}: expected ${JSON.stringify(text)} in:\n${output}`)
  }
  for (const url of [postgresUrl, `pglite:${path.join(work, "pglite")}`]) {
    const target = url.startsWith("pglite:") ? "pglite:<tmp>" : "PostgreSQL"
    expectIn(run("node", ["dist/src/main.js"], { cwd: app, env: env(url) }), "started", `the app on ${target}`)
    expectIn(run("node", ["dist/src/bundled.js"], { cwd: app, env: env(url) }), "bundled migrations applied", `bundled migrations on ${target}`)
    log(`the app started with MigrationsLayer on ${target}, and with makeMigrationsLayer({ migrations })`)
  }
  const bin = path.join(app, "node_modules/.bin/effect-migrate")
  expectIn(run(bin, ["--help"], { cwd: app }), "effect-migrate", "effect-migrate --help")
  const binDatabase = `${database}_bin`
  await admin.query(`CREATE DATABASE ${binDatabase}`)
  const binEnv = env(withDatabase(server.adminUrl, binDatabase))
  expectIn(run(bin, ["up"], { cwd: app, env: binEnv }), "1 applied", "effect-migrate up")
  expectIn(run(bin, ["status"], { cwd: app, env: binEnv }), "20240101000000_create_notes", "effect-migrate status")
  log("the installed bin ran --help, up and status")

  run(path.join(app, "node_modules/.bin/vitest"), ["run"], { cwd: app, env: { ...process.env, CI: "1" } })
  log("the app's vitest file passed with effect-migrate/testing")
  log("PASSED")
} catch (error) {
  const output = typeof error === "object" && error !== null && "stdout" in error ? `${error.stdout}\n${error.stderr}` : ""
  console.error(`[consumer] FAILED: ${error instanceof Error ? error.message : String(error)}\n${output}`)
  process.exitCode = 1
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {})
  await admin.query(`DROP DATABASE IF EXISTS ${database}_bin WITH (FORCE)`).catch(() => {})
  await admin.end().catch(() => {})
  await server.stop()
  if (process.env.CONSUMER_KEEP === undefined) rmSync(work, { recursive: true, force: true })
  else log(`kept ${work}`)
}
