import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Migration } from "../../src/migration.js"
import * as MigrationSource from "../../src/source/MigrationSource.js"
import { migrationDir } from "../support/migrationDir.js"

const loadAll = (files: Record<string, string>) =>
  Effect.promise(() => migrationDir(files)).pipe(
    Effect.flatMap((dir) => Effect.flatMap(Effect.provide(MigrationSource.MigrationSource, MigrationSource.fromDirectory(dir)), (s) => s.inspect))
  )

const sqlOf = (body: Migration["up"] | undefined): string | undefined => (body?._tag === "Sql" ? body.sql : undefined)

describe("other tools' layouts, read in place", () => {
  it.effect("golang-migrate / sqlx pairs: .up.sql with its .down.sql; an empty down is a down that does nothing", () =>
    Effect.gen(function*() {
      const listing = yield* loadAll({
        "000001_init.up.sql": "CREATE TABLE a (id int);\n",
        "000001_init.down.sql": "DROP TABLE a;\n",
        "000002_seed.up.sql": "INSERT INTO a VALUES (1);\n",
        "000002_seed.down.sql": "\n",
        "000003_no_down.up.sql": "CREATE TABLE c (id int);\n"
      })
      expect(listing.ignored).toEqual([])
      expect(listing.migrations.map((m) => [m.id, m.timestamp, sqlOf(m.down)])).toEqual([
        ["000001_init", 1, "DROP TABLE a;\n"],
        ["000002_seed", 2, ""],
        ["000003_no_down", 3, undefined]
      ])
    }))

  it.effect("Flyway V<version>__<name>.sql, ordered by version, with U undo files as downs", () =>
    Effect.gen(function*() {
      const listing = yield* loadAll({
        "V1__init.sql": "CREATE TABLE a (id int);\n",
        "U1__init.sql": "DROP TABLE a;\n",
        "V1.10__later.sql": "SELECT 110;\n",
        "V1.9__earlier.sql": "SELECT 19;\n",
        "V2__two.sql": "SELECT 2;\n"
      })
      expect(listing.ignored).toEqual([])
      expect(listing.migrations.map((m) => m.id)).toEqual(["V1__init", "V1.9__earlier", "V1.10__later", "V2__two"])
      expect(sqlOf(listing.migrations[0]?.down)).toBe("DROP TABLE a;\n")
      expect(listing.migrations[0]?.name).toBe("Init")
    }))

  it.effect("diesel and Prisma folders, with the folder name as id; Prisma's lock file is not a migration", () =>
    Effect.gen(function*() {
      const listing = yield* loadAll({
        "2024-01-01-000000_create_users/up.sql": "CREATE TABLE users (id int);\n",
        "2024-01-01-000000_create_users/down.sql": "",
        "2024-02-01-000000_add_email/up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
        "2024-02-01-000000_add_email/down.sql": "ALTER TABLE users DROP COLUMN email;\n",
        "20240301000000_posts/migration.sql": "CREATE TABLE posts (id int);\n",
        "migration_lock.toml": "provider = \"postgresql\"\n",
        "empty_folder/notes.txt": "nothing\n"
      })
      expect(listing.ignored).toEqual(["empty_folder"])
      expect(listing.migrations.map((m) => [m.id, m.timestamp])).toEqual([
        ["2024-01-01-000000_create_users", 20240101000000],
        ["2024-02-01-000000_add_email", 20240201000000],
        ["20240301000000_posts", 20240301000000]
      ])
      expect(sqlOf(listing.migrations[0]?.down)).toBe("")
      expect(listing.migrations[2]?.down).toBeUndefined()
    }))

  it.effect("dbmate, goose and node-pg-migrate sections in one file; goose's NO TRANSACTION", () =>
    Effect.gen(function*() {
      const listing = yield* loadAll({
        "20240101000000_dbmate.sql": "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n",
        "20240102000000_goose.sql": "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON a (id);\n-- +goose Down\nDROP INDEX i;\n",
        "1700000000000_pgm.sql": "-- Up Migration\nCREATE TABLE b (id int);\n-- Down Migration\nDROP TABLE b;\n"
      })
      const byId = new Map(listing.migrations.map((m) => [m.id, m]))
      expect(sqlOf(byId.get("20240101000000_dbmate")?.down)?.trim()).toBe("DROP TABLE a;")
      expect(byId.get("20240102000000_goose")?.transaction).toBe(false)
      expect(sqlOf(byId.get("20240102000000_goose")?.up)).not.toContain("DROP INDEX")
      expect(sqlOf(byId.get("1700000000000_pgm")?.down)?.trim()).toBe("DROP TABLE b;")
    }))

  it.effect("any leading number orders: a 14-digit number that is not a date is accepted", () =>
    Effect.gen(function*() {
      const listing = yield* loadAll({
        "20230322519590_supabase_style.sql": "SELECT 1;\n",
        "20250801000060_counter_in_seconds.sql": "SELECT 2;\n",
        "20250801000059_before.sql": "SELECT 3;\n"
      })
      expect(listing.failures).toEqual([])
      expect(listing.migrations.map((m) => m.id)).toEqual([
        "20230322519590_supabase_style",
        "20250801000059_before",
        "20250801000060_counter_in_seconds"
      ])
    }))
})
