import { Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import * as JournalMemory from "../../src/journal/JournalMemory.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { journalContract } from "./contract.js"

const db = useTestDatabase("journal_contract")

let tables = 0

/** The live journal on the test database, in a table of its own for each test. */
const live = (schema: string, table: string) => () =>
  JournalLive.layer.pipe(
    Layer.provideMerge(Connect.layer),
    Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", schema, table: `${table}_${++tables}` }))
  )

journalContract({ name: "JournalLive", journal: live("public", "migrations") })
journalContract({ name: "JournalLive, quoted schema and table names", journal: live(`Odd "schema"`, `Mig'rations`) })
journalContract({ name: "JournalMemory", journal: () => JournalMemory.layer() })
