import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import { Database, type TenantTable } from "../../src/database/Database.js"
import { memoryDatabase } from "../../src/testing.js"
import { useTestDatabase } from "../support/testDatabase.js"

/**
 * The Database contract: what the RLS stage relies on, asserted alike against the live service (a real server) and
 * the testing kit's memoryDatabase (given the same world as fixtures), so a test on the mock cannot pass for
 * behaviour production would refuse.
 */
const tenantTables: ReadonlyArray<TenantTable> = [
  { table: "notes", columns: ["user_id"], rlsEnabled: true },
  { table: "projects", columns: ["organization_id", "user_id"], rlsEnabled: false }
]

const contract = (name: string, services: () => Layer.Layer<Database, unknown>) =>
  describe(`Database contract: ${name}`, () => {
    it.live("runs a statement on its own, under a statement timeout", () =>
      Effect.gen(function*() {
        const database = yield* Database
        yield* database.executeStatement("ALTER TABLE notes ENABLE ROW LEVEL SECURITY", 5_000)
      }).pipe(Effect.provide(services())))

    it.live("a failing statement fails with its SQLSTATE and message, not a defect", () =>
      Effect.gen(function*() {
        const database = yield* Database
        const error = yield* Effect.flip(database.executeStatement("ALTER TABLE missing_table ENABLE ROW LEVEL SECURITY", 5_000))
        expect(error.code).toBe("42P01")
        expect(error.message).toContain("missing_table")
      }).pipe(Effect.provide(services())))

    it.live("lists the tables with tenant columns, sorted, with their RLS flag", () =>
      Effect.gen(function*() {
        const database = yield* Database
        expect(yield* database.tenantTables("public")).toEqual(tenantTables)
      }).pipe(Effect.provide(services())))
  })

const db = useTestDatabase("database_contract")

contract("live", () =>
  Layer.unwrapEffect(Effect.promise(async () => {
    await db.current.query(
      `CREATE TABLE IF NOT EXISTS notes (id int, user_id int);
       CREATE TABLE IF NOT EXISTS projects (id int, user_id int, organization_id int);
       CREATE TABLE IF NOT EXISTS countries (code text);
       ALTER TABLE notes ENABLE ROW LEVEL SECURITY`
    )
    return Connect.layer.pipe(Layer.provide(Config.layer({ databaseUrl: db.current.url })))
  })))

contract("memoryDatabase", () =>
  memoryDatabase({
    tenantTables,
    failStatement: (statement) =>
      statement.includes("missing_table")
        ? { code: "42P01", message: `relation "missing_table" does not exist`, position: undefined, hint: undefined }
        : undefined
  }))
