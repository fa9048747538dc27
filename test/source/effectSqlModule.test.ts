import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { migrationFromModule } from "../../src/source/moduleFile.js"

describe("an @effect/sql Migrator module", () => {
  it("whose default export is the migration's Effect loads as a migration with its file's id and number", () => {
    const up = Effect.void
    const loaded = migrationFromModule("/m/0001_create_users.ts", "0001_create_users.ts", { default: up }, "export default ...")
    expect(Either.isRight(loaded)).toBe(true)
    const migration = Either.getOrThrow(loaded)
    expect(migration).toMatchObject({ id: "0001_create_users", timestamp: 1, name: "Create Users", up: { _tag: "Effect", effect: up } })
    expect(migration.checksum).toMatch(/^[0-9a-f]{64}$/)
  })
})
