import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdir, symlink, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { MigrationLoadError } from "../../src/errors.js"
import { loadDirectory } from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"

/** A directory holding the given files as raw bytes. */
const withBytes = (files: Record<string, Uint8Array>) =>
  Effect.promise(async () => {
    const dir = await migrationDir({})
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes)
    return dir
  })

const loadFailure = (files: Record<string, Uint8Array>) =>
  Effect.flatMap(withBytes(files), (dir) => Effect.flip(loadDirectory(dir)))

describe("migration files are bytes first", () => {
  it.effect("a UTF-8 BOM is dropped before the SQL is read", () =>
    Effect.gen(function*() {
      const dir = yield* withBytes({
        "20240101000000_bom.sql": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("CREATE TABLE café (id int);\n")])
      })
      const [migration] = yield* loadDirectory(dir)
      expect(migration?.up._tag === "Sql" && migration.up.sql).toBe("CREATE TABLE café (id int);\n")
    }))

  it.effect("Latin-1 text is refused, naming the file and the byte offset, instead of applied with altered characters", () =>
    Effect.gen(function*() {
      const error = yield* loadFailure({ "20240101000000_latin1.sql": Buffer.from("INSERT INTO t VALUES ('café');\n", "latin1") })
      expect(error).toBeInstanceOf(MigrationLoadError)
      expect(error.message).toContain("20240101000000_latin1.sql")
      expect(error.message).toContain("not valid UTF-8 (byte 0xe9 at byte offset 26)")
    }))

  it.effect("UTF-16 and NUL bytes are refused at load, not met at run time", () =>
    Effect.gen(function*() {
      const utf16 = yield* loadFailure({
        "20240101000000_utf16.sql": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("SELECT 1;\n", "utf16le")])
      })
      expect(utf16.message).toContain("20240101000000_utf16.sql: is UTF-16")
      const nul = yield* loadFailure({ "20240101000000_nul.sql": Buffer.from("SELECT 1;\0\n") })
      expect(nul.message).toContain("NUL byte at byte offset 9")
    }))

  it.effect("files behind symlinks are read, as a Kubernetes ConfigMap volume presents them", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(async () => {
        const mount = await migrationDir({})
        const data = path.join(mount, "..2026_12_05_data")
        await mkdir(data)
        await writeFile(path.join(data, "20240101000000_first.sql"), "CREATE TABLE first_t (id int);\n")
        await writeFile(path.join(data, "20240102000000_second.sql"), "CREATE TABLE second_t (id int);\n")
        await symlink("..2026_12_05_data", path.join(mount, "..data"))
        for (const name of ["20240101000000_first.sql", "20240102000000_second.sql"]) {
          await symlink(path.join("..data", name), path.join(mount, name))
        }
        return mount
      })
      const migrations = yield* loadDirectory(dir)
      expect(migrations.map((m) => m.id)).toEqual(["20240101000000_first", "20240102000000_second"])
    }))
})
