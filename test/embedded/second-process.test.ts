import { it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, expect } from "vitest"
import { lockFileName } from "../../src/database/pgliteLock.js"
import { migrationDir } from "../support/migrationDir.js"

// Processes, not fibers: the CLI (dist/cli.js, built by `pretest`) on one PGlite data directory.
const root = mkdtempSync(path.join(tmpdir(), "effect-migrate-pglite-procs-"))
const dataDir = path.join(root, "db")
const lockFile = path.join(dataDir, lockFileName)
const children: Array<ChildProcess> = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  rmSync(root, { recursive: true, force: true })
})

interface Running {
  readonly child: ChildProcess
  /** Resolves once the output matches. */
  readonly waitFor: (pattern: RegExp) => Promise<void>
  readonly exited: Promise<{ readonly code: number | null; readonly output: string }>
}

const cli = (env: Record<string, string>): Running => {
  const child = spawn(process.execPath, ["dist/cli.js"], {
    env: { ...process.env, DATABASE_URL: `pglite:${dataDir}`, LOG_FORMAT: "text", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.push(child)
  let output = ""
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = []
  const onData = (chunk: Buffer) => {
    output += chunk.toString()
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(output)) waiter.resolve()
      else waiters.push(waiter)
    }
  }
  child.stdout!.on("data", onData)
  child.stderr!.on("data", onData)
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, output }))
  )
  return {
    child,
    exited,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(output)) return resolve()
        waiters.push({ pattern, resolve })
        void exited.then(() => reject(new Error(`exited before printing ${pattern}:\n${output}`)))
      })
  }
}

/** A migration that never finishes: its runner holds the directory until it is stopped. */
const holding = () =>
  Effect.promise(() =>
    migrationDir({
      "20240101000000_hold.js": `import { Effect } from "effect"\nexport default { name: "Hold", up: Effect.never }\n`
    })
  )

const holder = (migrations: string) =>
  Effect.promise(async () => {
    const running = cli({ MIGRATIONS_DIR: migrations, RLS_FILE: "none", MIGRATION_TIMEOUT: "600000" })
    await running.waitFor(/Running pending migrations/)
    return running
  })

it.live("a second process on the same directory gets a clear error naming the holder; SIGINT releases the lock", () =>
  Effect.gen(function*() {
    const first = yield* holder(yield* holding())
    expect(JSON.parse(readFileSync(lockFile, "utf8"))).toMatchObject({ pid: first.child.pid })

    const second = yield* Effect.promise(() => cli({}).exited)
    expect(second.code).toBe(3)
    expect(second.output).toContain(
      `[ERROR] ❌ Database migration aborted: PGlite data directory ${dataDir} is in use by process ${first.child.pid} since `
    )
    expect(second.output).toContain("PGlite allows one process per directory, a second one would lose writes")
    expect(second.output).toContain("↳ EBUSY (hint: the PGlite data directory is already open (the message names the process)")

    first.child.kill("SIGINT")
    const stopped = yield* Effect.promise(() => first.exited)
    expect(stopped.code).toBe(130)
    expect(existsSync(lockFile)).toBe(false)
  }), 120_000)

it.live("SIGTERM releases the lock too, and the next process migrates", () =>
  Effect.gen(function*() {
    const first = yield* holder(yield* holding())
    first.child.kill("SIGTERM")
    yield* Effect.promise(() => first.exited)
    expect(existsSync(lockFile)).toBe(false)

    const next = yield* Effect.promise(() => cli({}).exited)
    expect(next.output).toContain("[INFO] ✅ Database migration completed successfully")
    expect(next.code).toBe(0)
  }), 120_000)
