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
  /** Dirty, failed or locked entries of its history, and files that are not the tool's or share a key. */
  readonly problems: ReadonlyArray<string>
}

/** Pure: matches a tool's history to the loaded migrations by the key that tool records for each. */
export const planAdoption = (tool: ToolHistory, history: History, migrations: ReadonlyArray<Migration>): AdoptionPlan => {
  const problems = [...history.problems]
  const byKey = new Map<string, Migration>()
  const keyOf = new Map<Migration, string>()
  for (const migration of migrations) {
    const key = tool.keyOf(migration)
    if (key === undefined) {
      problems.push(`${migration.source} is not a migration of this tool's layout (${tool.layout})`)
      continue
    }
    const other = byKey.get(key)
    if (other !== undefined) problems.push(`${other.source} and ${migration.source} have the same key ${key}`)
    byKey.set(key, migration)
    keyOf.set(migration, key)
  }
  const applied = new Set(history.keys)
  const through = history.through
  const isApplied = (migration: Migration) => {
    const key = keyOf.get(migration)
    return key !== undefined && (applied.has(key) || (through !== undefined && migration.timestamp <= through.order))
  }
  const unmatched = history.keys.filter((key) => !byKey.has(key))
  if (through?.mustMatch === true && !byKey.has(through.key)) unmatched.push(through.key)
  return {
    record: migrations.filter(isApplied),
    pending: migrations.filter((migration) => !isApplied(migration)),
    unmatched,
    problems
  }
}
