import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { makeMigrationsLayer } from "../../src/layer.js"
import * as Migration from "../../src/migration.js"
import { withFreshDatabase } from "./support.js"

const migrations = [
  Migration.make({ id: "20240101000000_create_items", timestamp: 20240101000000, up: "CREATE TABLE items (id int)" }),
  Migration.make({ id: "20240102000000_add_label", name: "Add Label", timestamp: 20240102000000, up: "ALTER TABLE items ADD COLUMN label text" })
]

describe("makeMigrationsLayer({ migrations })", () => {
  it.live("runs migrations bundled in code on the live services, without reading MIGRATIONS_DIR", () =>
    withFreshDatabase("layer_bundled", (db) =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        const layer = makeMigrationsLayer({ migrations, sink: (line) => void lines.push(line.replace(/^\[[^\]]+\] /, "")) }).pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
            ["DATABASE_URL", db.url],
            ["MIGRATIONS_DIR", "/nonexistent/effect-migrate-bundled"],
            ["RLS_FILE", "none"]
          ]))))
        )
        const exit = yield* Effect.exit(Effect.provide(Effect.void, layer))
        expect(exit._tag).toBe("Success")
        expect(lines.some((line) => /^\[INFO\] ✅ Migration Add Label: APPLIED \(\d+ms\)$/.test(line))).toBe(true)
        const rows = yield* Effect.promise(() => db.query("SELECT id FROM migrations WHERE status = 'applied' ORDER BY id"))
        expect(rows).toEqual([{ id: "20240101000000_create_items" }, { id: "20240102000000_add_label" }])
      })))
})
