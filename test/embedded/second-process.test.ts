import { it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, expect } from "vitest"
import { lockFileName } from "../../src/database/pgliteLock.js"
import { startCli, useCli } from "../support/cli.js"
import { migrationDir } from "../support/migrationDir.js"

// Processes, not fibers: the CLI (dist/cli.js, built by `pretest`) on one PGlite data directory.
const root = mkdtempSync(path.join(tmpdir(), "effect-migrate-pglite-procs-"))
const dataDir = path.join(root, "db")
const lockFile = path.join(dataDir, lockFileName)
useCli()
afterAll(() => rmSync(root, { recursive: true, force: true }))

const cli = (env: Record<string, string>) =>
  startCli([], { DATABASE_URL: `pglite:${dataDir}`, LOG_FORMAT: "text", ...env }, { timeoutMs: 110_000 })

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
    await running.waitFor(/Running pending migrations/, 90_000)
    return running
  })

it.live("a second process on the same directory gets a clear error naming the holder; SIGINT releases the lock", () =>
  Effect.gen(function*() {
    const first = yield* holder(yield* holding())
    expect(JSON.parse(readFileSync(lockFile, "utf8"))).toMatchObject({ pid: first.child.pid })

    const second = yield* Effect.promise(() => cli({}).result)
    expect(second.code).toBe(3)
    expect(second.output).toContain(
      `[ERROR] ❌ Database migration aborted: PGlite data directory ${dataDir} is in use by process ${first.child.pid} since `
    )
    expect(second.output).toContain("PGlite allows one process per directory, a second one would lose writes")
    expect(second.output).toContain("↳ EBUSY (hint: the PGlite data directory is already open (the message names the process)")

    first.child.kill("SIGINT")
    const stopped = yield* Effect.promise(() => first.result)
    expect(stopped.code).toBe(130)
    expect(existsSync(lockFile)).toBe(false)
  }), 120_000)

it.live("SIGTERM releases the lock too, and the next process migrates", () =>
  Effect.gen(function*() {
    const first = yield* holder(yield* holding())
    first.child.kill("SIGTERM")
    yield* Effect.promise(() => first.result)
    expect(existsSync(lockFile)).toBe(false)

    const migrations = yield* Effect.promise(() => migrationDir({ "20240102000000_after.sql": "CREATE TABLE after_t (id int);" }))
    const next = yield* Effect.promise(() => cli({ MIGRATIONS_DIR: migrations, RLS_FILE: "none" }).result)
    expect(next.output).toContain("[INFO] 📊 Migration results: 1 applied, 0 skipped, 0 failed")
    expect(next.output).toContain("[INFO] ✅ Database migration completed successfully")
    expect(next.code).toBe(0)
  }), 120_000)
