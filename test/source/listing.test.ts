import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { CapturingLogger } from "../../src/testing.js"
import { migrationDir } from "../support/migrationDir.js"

const sourceOf = (files: Record<string, string>) =>
  Effect.map(Effect.promise(() => migrationDir(files)), (dir) => ({ dir, layer: MigrationSource.fromDirectory(dir) }))

describe("what a migrations directory holds", () => {
  it.effect("an entry that is not a migration is named in a warning, never skipped in silence", () =>
    Effect.gen(function*() {
      const { dir, layer } = yield* sourceOf({
        "20240101000000_first.sql": "CREATE TABLE first_t (id int);\n",
        "20240102000000_upper.SQL": "CREATE TABLE upper_t (id int);\n",
        "notes.txt": "todo\n",
        "README.md": "# migrations\n",
        "_set_aside.sql": "SELECT 1;\n"
      })
      const { messages, migrations } = yield* Effect.gen(function*() {
        const migrations = yield* Effect.flatMap(MigrationSource.MigrationSource, (source) => source.load)
        return { migrations, messages: yield* Effect.flatMap(CapturingLogger, (logs) => logs.messages) }
      }).pipe(Effect.provide(Layer.merge(layer, CapturingLogger.layer())))
      expect(migrations.map((m) => m.id)).toEqual(["20240101000000_first"])
      expect(messages).toEqual([
        `[WARN] ⚠️ 20240102000000_upper.SQL in ${dir} is not a migration and was not loaded: migrations are named ` +
        "<timestamp>_<slug>.sql|.ts|.js (prefix a file with _ to set it aside)",
        `[WARN] ⚠️ notes.txt in ${dir} is not a migration and was not loaded: migrations are named ` +
        "<timestamp>_<slug>.sql|.ts|.js (prefix a file with _ to set it aside)"
      ])
      const listing = yield* Effect.flatMap(MigrationSource.MigrationSource, (source) => source.inspect).pipe(Effect.provide(layer))
      expect(listing.ignored).toEqual(["20240102000000_upper.SQL", "notes.txt"])
    }))

  it.effect("inspect lists every file it can, with one failure per file that does not load", () =>
    Effect.gen(function*() {
      const { layer } = yield* sourceOf({
        "20240101000000_first.sql": "CREATE TABLE first_t (id int);\n",
        "20240102000000_broken.sql": "SELECT 'never closed;\n",
        "20240103000000_third.sql": "CREATE TABLE third_t (id int);\n",
        "bad_name.sql": "SELECT 1;\n"
      })
      const source = yield* Effect.provide(MigrationSource.MigrationSource, layer)
      const listing = yield* source.inspect
      expect(listing.migrations.map((m) => m.id)).toEqual(["20240101000000_first", "20240103000000_third"])
      expect(listing.failures.map((failure) => failure.file).map((file) => file.split("/").pop())).toEqual([
        "20240102000000_broken.sql",
        "bad_name.sql"
      ])
      const loaded = yield* Effect.either(source.load)
      expect(Either.isLeft(loaded) && loaded.left.message).toContain("20240102000000_broken.sql")
    }))
})
