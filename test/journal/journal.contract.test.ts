import { Effect, Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import * as JournalMemory from "../../src/journal/JournalMemory.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { journalContract } from "./contract.js"

const db = useTestDatabase("journal_contract")

let tables = 0

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** The live journal on the test database, in a table of its own for each test. */
const liveIn = (schema: string, table: string) =>
  JournalLive.layer.pipe(
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", schema, table }))
  )

const live = (schema: string, prefix: string) => ({
  journal: () => liveIn(schema, `${prefix}_${++tables}`),
  over: (columns: ReadonlyArray<readonly [string, string]>) => {
    const table = `${prefix}_${++tables}`
    const qualified = `${quote(schema)}.${quote(table)}`
    const create = Effect.promise(async () => {
      await db.current.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`)
      await db.current.query(`CREATE TABLE ${qualified} (${columns.map(([name, type]) => `${quote(name)} ${type}`).join(", ")})`)
      if (columns.some(([name]) => name === "hash")) {
        await db.current.query(`INSERT INTO ${qualified} (id, name, hash) VALUES (0, 'create-migrations-table', 'e18db593')`)
      } else if (columns.some(([name]) => name === "timestamp")) {
        await db.current.query(`INSERT INTO ${qualified} ("timestamp", name) VALUES (1700000000000, 'Init1700000000000')`)
      }
    })
    const snapshot = Effect.promise(async () => ({
      columns: await db.current.query(
        `SELECT column_name, data_type, column_default FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, table]
      ),
      rows: await db.current.query(`SELECT * FROM ${qualified} ORDER BY 1`)
    }))
    return Effect.as(create, { journal: liveIn(schema, table), table: `${schema}.${table}`, snapshot })
  }
})

/** The catalogue's name for a column definition's type, as far as the ownership rule looks. */
const catalogueType = (definition: string) => {
  const type = definition.split(" ")[0]!
  return type === "serial" ? "integer" : type.replace(/^varchar/, "character varying")
}

const memory = {
  journal: () => JournalMemory.layer(),
  over: (columns: ReadonlyArray<readonly [string, string]>) => Effect.succeed({
    journal: JournalMemory.layer({
      existingTable: {
        schema: "public",
        table: "migrations",
        columns: columns.map(([name, type]) => ({ name, type: catalogueType(type) }))
      }
    }),
    table: "public.migrations",
    snapshot: Effect.void
  })
}

journalContract({ name: "JournalLive", ...live("public", "migrations") })
journalContract({ name: "JournalLive, quoted schema and table names", ...live(`Odd "schema"`, `Mig'rations`) })
journalContract({ name: "JournalMemory", ...memory })
