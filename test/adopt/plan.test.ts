import { describe, expect, it } from "@effect/vitest"
import { historyOf, normalizeFlyway } from "../../src/adopt/histories.js"
import { planAdoption } from "../../src/adopt/plan.js"
import type { Migration } from "../../src/migration.js"

const migration = (id: string, source: string, timestamp: number, checksum = `sum-${id}`): Migration => ({
  id,
  name: id,
  description: undefined,
  timestamp,
  up: { _tag: "Sql", sql: "SELECT 1" },
  down: undefined,
  transaction: true,
  timeoutMs: undefined,
  checksum,
  source
})

describe("keys each tool records for a migration file", () => {
  it("version numbers lose their leading zeros where the tool stores an integer; dbmate and diesel keep text", () => {
    const golang = migration("000001_a", "/m/000001_a.up.sql", 1)
    expect(historyOf("golang-migrate").keyOf(golang)).toBe("1")
    expect(historyOf("sqlx").keyOf(golang)).toBe("1")
    expect(historyOf("goose").keyOf(migration("00002_b", "/m/00002_b.sql", 2))).toBe("2")
    expect(historyOf("effect-sql").keyOf(migration("0003_c", "/m/0003_c.ts", 3))).toBe("3")
    expect(historyOf("dbmate").keyOf(migration("0001_a", "/m/0001_a.sql", 1))).toBe("0001")
    const diesel = migration("2024-01-01-000000_create_a", "/m/2024-01-01-000000_create_a/up.sql", 20240101000000)
    expect(historyOf("diesel").keyOf(diesel)).toBe("20240101000000")
    expect(historyOf("diesel").keyOf(golang)).toBeUndefined()
  })

  it("Flyway versions as Flyway compares them; names for node-pg-migrate and knex; folders for Prisma; hashes for drizzle", () => {
    expect(normalizeFlyway("1_1")).toBe("1.1")
    expect(normalizeFlyway("01.0")).toBe("1")
    expect(historyOf("flyway").keyOf(migration("V1_1__b", "/m/V1_1__b.sql", 1001000000000))).toBe("1.1")
    expect(historyOf("flyway").keyOf(migration("1_a", "/m/1_a.sql", 1))).toBeUndefined()
    expect(historyOf("node-pg-migrate").keyOf(migration("1700000000000_a", "/m/1700000000000_a.sql", 1))).toBe("1700000000000_a")
    expect(historyOf("knex").keyOf(migration("20240101_a", "/m/20240101_a.sql", 20240101))).toBe("20240101_a")
    const prisma = migration("20240101000000_init", "/m/20240101000000_init/migration.sql", 20240101000000)
    expect(historyOf("prisma").keyOf(prisma)).toBe("20240101000000_init")
    expect(historyOf("drizzle").keyOf(migration("0000_a", "/m/0000_a.sql", 0, "abc"))).toBe("abc")
  })
})

describe("planAdoption", () => {
  const files = [
    migration("1_a", "/m/1_a.up.sql", 1),
    migration("2_b", "/m/2_b.up.sql", 2),
    migration("3_c", "/m/3_c.up.sql", 3)
  ]

  it("a current version covers every file up to it (golang-migrate); the rest stays pending", () => {
    const plan = planAdoption(historyOf("golang-migrate"), {
      keys: [],
      through: { key: "2", order: 2, mustMatch: true },
      problems: []
    }, files)
    expect(plan.record.map((m) => m.id)).toEqual(["1_a", "2_b"])
    expect(plan.pending.map((m) => m.id)).toEqual(["3_c"])
    expect(plan.unmatched).toEqual([])
    expect(plan.problems).toEqual([])
  })

  it("names history keys without a file, a current version without a file, files of another layout and shared keys", () => {
    const sqlx = planAdoption(historyOf("sqlx"), { keys: ["1", "9"], problems: ["version 4 is dirty"] }, files)
    expect(sqlx.record.map((m) => m.id)).toEqual(["1_a"])
    expect(sqlx.unmatched).toEqual(["9"])
    expect(sqlx.problems).toEqual(["version 4 is dirty"])

    const golang = planAdoption(historyOf("golang-migrate"), { keys: [], through: { key: "5", order: 5, mustMatch: true }, problems: [] }, files)
    expect(golang.unmatched).toEqual(["5"])

    const diesel = planAdoption(historyOf("diesel"), { keys: [], problems: [] }, files)
    expect(diesel.problems).toHaveLength(3)
    expect(diesel.problems[0]).toContain("/m/1_a.up.sql is not a migration of this tool's layout")

    const twice = planAdoption(historyOf("goose"), { keys: [], problems: [] }, [...files, migration("01_again", "/m/01_again.sql", 1)])
    expect(twice.problems).toEqual(["/m/1_a.up.sql and /m/01_again.sql have the same key 1"])
  })

  it("a Flyway baseline covers the versions up to its own, with or without a file of that version", () => {
    const flyway = [
      migration("V1__init", "/m/V1__init.sql", 1e9),
      migration("V1_1__b", "/m/V1_1__b.sql", 1.001e9),
      migration("V2__c", "/m/V2__c.sql", 2e9)
    ]
    const plan = planAdoption(historyOf("flyway"), { keys: [], through: { key: "1.1", order: 1.001e9, mustMatch: false }, problems: [] }, flyway)
    expect(plan.record.map((m) => m.id)).toEqual(["V1__init", "V1_1__b"])
    expect(plan.unmatched).toEqual([])
  })
})
