import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { MigrationLoadError } from "../../src/errors.js"
import type { Migration } from "../../src/migration.js"
import { loadDirectory } from "../../src/source/MigrationSource.js"
import { SqlFileCache } from "../../src/source/sqlFileCache.js"
import { migrationDir } from "../support/migrationDir.js"

const realNow = () => BigInt(Date.now()) * 1_000_000n

/** A cache whose clock runs ahead, so files written by the test count as settled (not racy) at once. */
const settledCache = (options: { readonly maxDirectories?: number } = {}) =>
  new SqlFileCache({ now: () => realNow() + 10_000_000_000n, cacheFromLoad: 1, ...options })

const upSql = (migration: Migration | undefined) => (migration?.up._tag === "Sql" ? migration.up.sql : undefined)

const files = (count: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`2024010100000${i}_m${i}.sql`, `CREATE TABLE t${i} (id int);\n`])
  )

/** Longer than a coarse kernel clock tick, so the next write gets a later ctime than the last. */
const nextTick = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 25)))

describe("the cache of parsed .sql migrations", () => {
  it.effect("by default, a directory's first load in a process stats nothing; its files are kept from the second load", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir(files(3)))
      const cache = new SqlFileCache({ now: () => realNow() + 10_000_000_000n })
      const first = yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 3, reused: 0 })
      yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 6, reused: 0 })
      expect(yield* loadDirectory(dir, cache)).toEqual(first)
      expect(cache.counts).toEqual({ read: 6, reused: 3 })
    }))

  it.effect("a second load of an unchanged directory reads no file, and returns the same migrations", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir(files(5)))
      const cache = settledCache()
      const first = yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 5, reused: 0 })
      const second = yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 5, reused: 5 })
      expect(second).toEqual(first)
      expect(second.map((m) => m.checksum)).toEqual(first.map((m) => m.checksum))
      // Shared by every later load, so nobody may change them.
      expect(second.every((m) => Object.isFrozen(m) && Object.isFrozen(m.up))).toBe(true)
    }))

  it.effect("a file changed less than the racy margin before it was read is read again, stat unchanged or not", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir(files(1)))
      const file = path.join(dir, Object.keys(files(1))[0]!)
      const changed = statSync(file, { bigint: true }).ctimeNs
      let now = changed + 1_000_000_000n
      const cache = new SqlFileCache({ now: () => now, cacheFromLoad: 1 })
      yield* loadDirectory(dir, cache)
      yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 2, reused: 0 })
      now = changed + 3_000_000_000n
      yield* loadDirectory(dir, cache)
      yield* loadDirectory(dir, cache)
      expect(cache.counts).toEqual({ read: 3, reused: 1 })
    }))

  it.effect("with the real clock, rewriting a file right after a load (same size, same second) is always seen", () =>
    Effect.gen(function*() {
      const name = "20240101000000_same_size.sql"
      const dir = yield* Effect.promise(() => migrationDir({ [name]: "SELECT 0;" }))
      const file = path.join(dir, name)
      const cache = new SqlFileCache({ cacheFromLoad: 1 })
      for (let i = 1; i <= 20; i++) {
        writeFileSync(file, `SELECT ${i % 10};`)
        const [migration] = yield* loadDirectory(dir, cache)
        expect(upSql(migration)).toBe(`SELECT ${i % 10};`)
      }
      expect(cache.counts.reused).toBe(0)
    }))

  it.effect("an edit in place with the same size and the old mtime put back is seen (ctime moved)", () =>
    Effect.gen(function*() {
      const name = "20240101000000_edit.sql"
      const dir = yield* Effect.promise(() => migrationDir({ [name]: "SELECT 1;" }))
      const file = path.join(dir, name)
      const cache = settledCache()
      utimesSync(file, 1_700_000_000, 1_700_000_000)
      const before = statSync(file, { bigint: true })
      const [first] = yield* loadDirectory(dir, cache)
      expect(upSql(first)).toBe("SELECT 1;")
      yield* nextTick
      writeFileSync(file, "SELECT 2;")
      utimesSync(file, 1_700_000_000, 1_700_000_000)
      expect(statSync(file, { bigint: true }).mtimeNs).toBe(before.mtimeNs)
      expect(statSync(file, { bigint: true }).size).toBe(before.size)
      const [second] = yield* loadDirectory(dir, cache)
      expect(upSql(second)).toBe("SELECT 2;")
      expect(second!.checksum).not.toBe(first!.checksum)
      expect(cache.counts).toEqual({ read: 2, reused: 0 })
    }))

  it.effect("a file replaced by rename (new inode) is seen", () =>
    Effect.gen(function*() {
      const name = "20240101000000_replaced.sql"
      const dir = yield* Effect.promise(() => migrationDir({ [name]: "SELECT 1;" }))
      const file = path.join(dir, name)
      const cache = settledCache()
      utimesSync(file, 1_700_000_000, 1_700_000_000)
      yield* loadDirectory(dir, cache)
      writeFileSync(path.join(dir, "replacement.tmp"), "SELECT 3;")
      utimesSync(path.join(dir, "replacement.tmp"), 1_700_000_000, 1_700_000_000)
      renameSync(path.join(dir, "replacement.tmp"), file)
      const [replaced] = yield* loadDirectory(dir, cache)
      expect(upSql(replaced)).toBe("SELECT 3;")
      expect(cache.counts).toEqual({ read: 2, reused: 0 })
    }))

  it.effect("a deleted file is gone, a new file is read, the others are reused", () =>
    Effect.gen(function*() {
      const initial = files(3)
      const dir = yield* Effect.promise(() => migrationDir(initial))
      const cache = settledCache()
      yield* loadDirectory(dir, cache)
      rmSync(path.join(dir, Object.keys(initial)[1]!))
      const afterDelete = yield* loadDirectory(dir, cache)
      expect(afterDelete.map((m) => m.id)).toEqual(["20240101000000_m0", "20240101000002_m2"])
      expect(cache.counts).toEqual({ read: 3, reused: 2 })
      writeFileSync(path.join(dir, "20240101000005_new.sql"), "SELECT 5;")
      const afterAdd = yield* loadDirectory(dir, cache)
      expect(afterAdd.map((m) => m.id)).toEqual(["20240101000000_m0", "20240101000002_m2", "20240101000005_new"])
      expect(cache.counts).toEqual({ read: 4, reused: 4 })
    }))

  it.effect("a cached file edited into an invalid one fails with the same error as an uncached one, and recovers", () =>
    Effect.gen(function*() {
      const name = "20240101000000_breaks.sql"
      const dir = yield* Effect.promise(() => migrationDir({ [name]: "SELECT 1;" }))
      const file = path.join(dir, name)
      const cache = settledCache()
      yield* loadDirectory(dir, cache)
      yield* nextTick
      writeFileSync(file, "SELECT 'x;")
      const error = yield* Effect.flip(loadDirectory(dir, cache))
      const uncached = yield* Effect.flip(loadDirectory(dir, new SqlFileCache()))
      expect(error).toBeInstanceOf(MigrationLoadError)
      expect(error.message).toBe(uncached.message)
      expect(error.message).toBe(
        `${file}: line 1: a quoted string is never closed, so the rest of the file (and the journal row after it) would be read as part of it`
      )
      yield* nextTick
      writeFileSync(file, "SELECT 2;")
      const [fixed] = yield* loadDirectory(dir, cache)
      expect(upSql(fixed)).toBe("SELECT 2;")
    }))

  it.effect("a file gone between the listing and the read fails as it always did", () =>
    Effect.sync(() => {
      const dir = path.join(path.sep, "nonexistent", "effect-migrate")
      const loaded = new SqlFileCache().open(dir, ["20240101000000_gone.sql"]).load(0)
      const file = path.join(dir, "20240101000000_gone.sql")
      expect(loaded).toEqual(
        Either.left(new MigrationLoadError({ file, message: `${file}: cannot read: no such file or directory` }))
      )
    }))

  it.effect("remembers a bounded number of directories, the least recently loaded forgotten first", () =>
    Effect.gen(function*() {
      const [a, b, c] = yield* Effect.promise(() => Promise.all([migrationDir(files(2)), migrationDir(files(2)), migrationDir(files(2))]))
      const cache = settledCache({ maxDirectories: 2 })
      yield* loadDirectory(a!, cache)
      yield* loadDirectory(b!, cache)
      yield* loadDirectory(a!, cache)
      expect(cache.counts).toEqual({ read: 4, reused: 2 })
      yield* loadDirectory(c!, cache)
      yield* loadDirectory(a!, cache)
      expect(cache.counts).toEqual({ read: 6, reused: 4 })
      yield* loadDirectory(b!, cache)
      expect(cache.counts).toEqual({ read: 8, reused: 4 })
    }))

  it.effect("the source path is path.join(directory, file), also for a directory given with a trailing slash or dots", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => migrationDir(files(1)))
      const [migration] = yield* loadDirectory(`${dir}/./`, settledCache())
      expect(migration!.source).toBe(path.join(dir, "20240101000000_m0.sql"))
    }))
})
