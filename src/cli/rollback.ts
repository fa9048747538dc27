import { Either } from "effect"
import { ConfigError, MigrationIrreversible, MigrationNotFound } from "../errors.js"
import type { JournalEntry } from "../journal/Journal.js"
import { compare, type Migration } from "../migration.js"
import type { Plan } from "../stages/discover.js"

/** Which applied migrations `down` reverts: the newest one (default), the newest N, or all after one id. */
export interface RollbackSelection {
  readonly steps?: number | undefined
  readonly to?: string | undefined
}

const leadingNumber = (id: string): number | null => {
  const digits = /^\d+/.exec(id)?.[0]
  return digits === undefined ? null : Number(digits)
}

type Ordered = Pick<JournalEntry, "id" | "timestamp">

const newestFirst = (a: Ordered, b: Ordered) => {
  const at = a.timestamp ?? 0
  const bt = b.timestamp ?? 0
  return at !== bt ? bt - at : a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/**
 * Pure: the applied migrations to revert, newest first (by timestamp, then id: the reverse of the order `up`
 * applies them in). Fails before anything changes when one of them has no file or no `down`.
 */
export const rollbackTargets = (
  plan: Plan,
  selection: RollbackSelection
): Either.Either<ReadonlyArray<Migration>, ConfigError | MigrationNotFound | MigrationIrreversible> => {
  if (selection.steps !== undefined && selection.to !== undefined) {
    return Either.left(new ConfigError({ variable: "--steps", message: "down: give --steps or --to, not both" }))
  }
  if (selection.steps !== undefined && !(Number.isInteger(selection.steps) && selection.steps >= 1)) {
    return Either.left(new ConfigError({ variable: "--steps", message: `down: --steps must be a whole number ≥ 1, got ${selection.steps}` }))
  }
  const registered = new Map(plan.migrations.map((migration) => [migration.id, migration]))
  // A journal row written by hand has no timestamp: use its file's, else the leading digits of its id.
  const applied = [...plan.entries.values()]
    .filter((entry) => entry.status === "applied")
    .map((entry) => ({
      ...entry,
      timestamp: registered.get(entry.id)?.timestamp ?? entry.timestamp ?? leadingNumber(entry.id)
    }))
    .sort(newestFirst)
  let chosen: ReadonlyArray<JournalEntry>
  if (selection.to !== undefined) {
    const to = selection.to
    const target = registered.get(to) ?? plan.entries.get(to)
    if (target === undefined) {
      return Either.left(new MigrationNotFound({ id: to, message: `down --to=${to}: no migration on disk or in the journal has this id` }))
    }
    const bound = { id: to, timestamp: target.timestamp ?? leadingNumber(to) }
    chosen = applied.filter((entry) => newestFirst(entry, bound) < 0)
  } else {
    chosen = applied.slice(0, selection.steps ?? 1)
  }
  const withoutFile = chosen.filter((entry) => !registered.has(entry.id))
  if (withoutFile.length > 0) {
    const ids = withoutFile.map((entry) => entry.id)
    return Either.left(
      new MigrationIrreversible({
        id: ids[0]!,
        message: `down: ${ids.join(", ")} ${ids.length === 1 ? "is" : "are"} in the journal but ${
          ids.length === 1 ? "has no file" : "have no files"
        }, so there is no down to run; nothing was changed. Restore the file, or remove the row with \`effect-migrate reset <id>\`.`
      })
    )
  }
  const migrations = chosen.map((entry) => registered.get(entry.id)!)
  const irreversible = migrations.filter((migration) => migration.down === undefined)
  if (irreversible.length > 0) {
    const ids = irreversible.map((migration) => migration.id)
    return Either.left(
      new MigrationIrreversible({
        id: ids[0]!,
        message: `down: ${ids.join(", ")} ${ids.length === 1 ? "has" : "have"} no down migration ` +
          "(a `-- migrate:down` section, or `down` in Migration.make); nothing was changed"
      })
    )
  }
  return Either.right([...migrations].sort(compare).reverse())
}
