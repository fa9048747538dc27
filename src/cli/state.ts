import { Effect } from "effect"
import { Journal } from "../journal/Journal.js"
import { MigrationSource } from "../source/MigrationSource.js"
import { plan } from "../stages/discover.js"

/**
 * The migrations on disk against the journal, read without the lock and without creating anything
 * (a missing journal table reads as empty).
 */
export const readPlan = Effect.gen(function*() {
  const source = yield* MigrationSource
  const journal = yield* Journal
  const [migrations, entries] = yield* Effect.all([source.load, journal.entries], { concurrency: 2 })
  return plan(migrations, entries)
})
