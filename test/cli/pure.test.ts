import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { createMigration, slugOf, timestampOf } from "../../src/cli/commands/create.js"
import { rollbackTargets } from "../../src/cli/rollback.js"
import type { JournalEntry } from "../../src/journal/Journal.js"
import type { Migration } from "../../src/migration.js"
import { plan } from "../../src/stages/discover.js"
import { journalEntry, sqlMigration } from "../support/fixtures.js"

const migration = (id: string, down = true): Migration =>
  sqlMigration({
    id,
    timestamp: Number(id.slice(0, 14)),
    down: down ? { _tag: "Sql", sql: "SELECT 2" } : undefined,
    source: `${id}.sql`
  })

const applied = (id: string, status = "applied"): JournalEntry => journalEntry({ id, status })

const a = "20240101000000_a"
const b = "20240102000000_b"
const c = "20240103000000_c"
const d = "20240104000000_d"

const targets = (
  migrations: ReadonlyArray<Migration>,
  entries: ReadonlyArray<JournalEntry>,
  selection: { steps?: number; to?: string }
) => rollbackTargets(plan(migrations, entries), selection)

const ids = (result: ReturnType<typeof targets>) =>
  Either.match(result, { onLeft: (error) => error._tag, onRight: (list) => list.map((m) => m.id) })

describe("down: which migrations, in which order", () => {
  const all = [migration(a), migration(b), migration(c), migration(d)]

  it("the newest applied by default, --steps newest first, skipping pending and failed ones", () => {
    const entries = [applied(a), applied(b), applied(c, "failed")]
    expect(ids(targets(all, entries, {}))).toEqual([b])
    expect(ids(targets(all, entries, { steps: 5 }))).toEqual([b, a])
    expect(ids(targets(all, [], {}))).toEqual([])
  })

  it("--to is exclusive, and may name a migration that is not applied", () => {
    const entries = [applied(a), applied(b), applied(d)]
    expect(ids(targets(all, entries, { to: a }))).toEqual([d, b])
    expect(ids(targets(all, entries, { to: c }))).toEqual([d])
    expect(ids(targets(all, entries, { to: d }))).toEqual([])
    expect(ids(targets(all, entries, { to: "20990101000000_nope" }))).toBe("MigrationNotFound")
  })

  it("refuses before anything runs when one to revert has no down or no file", () => {
    const noDown = [migration(a), migration(b, false), migration(c)]
    const entries = [applied(a), applied(b), applied(c)]
    expect(ids(targets(noDown, entries, {}))).toEqual([c])
    expect(ids(targets(noDown, entries, { steps: 2 }))).toBe("MigrationIrreversible")
    expect(ids(targets([migration(a)], [applied(a), applied(b)], {}))).toBe("MigrationIrreversible")
  })

  it("--steps and --to together, or --steps below 1, are usage errors", () => {
    expect(ids(targets(all, [applied(a)], { steps: 1, to: a }))).toBe("ConfigError")
    expect(ids(targets(all, [applied(a)], { steps: 0 }))).toBe("ConfigError")
  })
})

describe("create", () => {
  it("slugs and timestamps", () => {
    expect(slugOf("Add user Color!")).toBe("add_user_color")
    expect(slugOf("  crème brûlée  ")).toBe("creme_brulee")
    expect(slugOf("!!!")).toBe("")
    expect(timestampOf(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe("20240102030405")
  })

  it.effect("the new migration sorts after every existing one, even one dated in the future", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => mkdtemp(path.join(tmpdir(), "em-cli-create-")))
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 0, 0, 0))
      yield* Effect.promise(() => writeFile(path.join(dir, "20240102000059_later.sql"), "SELECT 1;"))
      const first = yield* createMigration(dir, "one", true)
      const second = yield* createMigration(dir, "one", true)
      expect(path.basename(first)).toBe("20240102000100_one.sql")
      expect(path.basename(second)).toBe("20240102000101_one.sql")
      expect((yield* Effect.promise(() => readdir(dir))).sort()).toEqual([
        "20240102000059_later.sql",
        "20240102000100_one.sql",
        "20240102000101_one.sql"
      ])
      yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
    }))
})
