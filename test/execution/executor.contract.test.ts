import { Layer } from "effect"
import * as Config from "../../src/config.js"
import * as Connect from "../../src/database/connect.js"
import * as ExecutorLive from "../../src/execution/ExecutorLive.js"
import * as JournalLive from "../../src/journal/JournalLive.js"
import { memoryJournal } from "../../src/testing.js"
import { useTestDatabase } from "../support/testDatabase.js"
import { executorContract } from "./contract.js"

const db = useTestDatabase("executor_contract")

let tables = 0

executorContract({
  name: "ExecutorLive",
  executor: () =>
    ExecutorLive.layer.pipe(
      Layer.provideMerge(JournalLive.layer),
      Layer.provideMerge(Connect.layer),
      Layer.provideMerge(Config.layer({ databaseUrl: db.current.url, rlsFile: "none", table: `migrations_${++tables}` }))
    )
})

executorContract({
  name: "the testing kit's memoryJournal",
  executor: (behaviours) =>
    memoryJournal({
      failing: Object.fromEntries(
        Object.entries(behaviours).flatMap(([id, behaviour]) => typeof behaviour === "object" && "fails" in behaviour ? [[id, behaviour.fails]] : [])
      ),
      durationMs: (migration) => {
        const behaviour = behaviours[migration.id]
        return typeof behaviour === "object" && "sleepsMs" in behaviour ? behaviour.sleepsMs : 0
      }
    })
})
