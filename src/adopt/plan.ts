import type { Migration } from "../migration.js"
import type { History, ToolHistory } from "./histories.js"

/** What adopting another tool's history would record, and what stands in the way. */
export interface AdoptionPlan {
  /** Our migrations the other tool applied: recorded as applied in our journal. */
  readonly record: ReadonlyArray<Migration>
  /** Our migrations it did not apply: they stay pending. */
  readonly pending: ReadonlyArray<Migration>
  /** Its history's keys that no migration file matches. */
  readonly unmatched: ReadonlyArray<string>
  /** Dirty, failed or locked entries of its history. */
  readonly problems: ReadonlyArray<string>
}

/** Pure: matches a tool's history to the loaded migrations by the key that tool records for each. */
export const planAdoption = (tool: ToolHistory, history: History, migrations: ReadonlyArray<Migration>): AdoptionPlan => {
  const applied = new Set(history.keys)
  const keys = new Map(migrations.map((migration) => [tool.keyOf(migration), migration]))
  const isApplied = (migration: Migration) =>
    history.upTo === undefined ? applied.has(tool.keyOf(migration)) : migration.timestamp <= history.upTo
  const unmatched = history.upTo === undefined
    ? history.keys.filter((key) => !keys.has(key))
    : keys.has(String(history.upTo)) || history.keys.length === 0 ? [] : [String(history.upTo)]
  return {
    record: migrations.filter(isApplied),
    pending: migrations.filter((migration) => !isApplied(migration)),
    unmatched,
    problems: history.problems
  }
}
