import { Effect } from "effect"
import { MigrationConfig } from "../config.js"
import { ChecksumMismatch } from "../errors.js"
import { Journal, type JournalEntry, type JournalState } from "../journal/Journal.js"
import * as Events from "../logging/events.js"
import type { Migration } from "../migration.js"
import { stage } from "./stageTimeout.js"

export interface ChangedMigration {
  readonly migration: Migration
  readonly recorded: string
  readonly current: string
}

export interface Plan {
  readonly migrations: ReadonlyArray<Migration>
  readonly entries: ReadonlyMap<string, JournalEntry>
  /** Registered and not `applied`, in timestamp order (then id). */
  readonly pending: ReadonlyArray<Migration>
  /** Applied, but the file's checksum differs from the recorded one. */
  readonly changed: ReadonlyArray<ChangedMigration>
  /** In the journal, with no registered migration. */
  readonly missing: ReadonlyArray<JournalEntry>
  /** Pending migrations older than the newest applied one: applied anyway, with a warning. */
  readonly outOfOrder: ReadonlyArray<Migration>
}

const isApplied = (entry: JournalState | undefined): entry is JournalState => entry !== undefined && entry.status === "applied"

/** The recorded and current checksums of an applied migration whose file no longer has the recorded one. */
const change = (migration: Pick<Migration, "checksum">, entry: JournalState): Omit<ChangedMigration, "migration"> | undefined =>
  entry.checksum !== null && migration.checksum !== undefined && entry.checksum !== migration.checksum
    ? { recorded: entry.checksum, current: migration.checksum }
    : undefined

/**
 * Pure: every migration applied with a recorded checksum equal to its file's. Then `plan` finds nothing to run and
 * nothing to warn of; a row without a checksum (written by hand, or before checksums were kept) does not count,
 * since nothing was ever compared with it.
 */
export const appliedAsRecorded = (
  migrations: ReadonlyArray<Pick<Migration, "id" | "checksum">>,
  rows: ReadonlyArray<JournalState>
): boolean => {
  const entries = new Map(rows.map((row) => [row.id, row]))
  return migrations.every((migration) => {
    const entry = entries.get(migration.id)
    return isApplied(entry) && entry.checksum !== null && entry.checksum === migration.checksum
  })
}

/** Pure: what is pending, changed, missing and out of order, from the migrations and the journal. */
export const plan = (migrations: ReadonlyArray<Migration>, rows: ReadonlyArray<JournalEntry>): Plan => {
  const entries = new Map(rows.map((row) => [row.id, row]))
  const registered = new Set(migrations.map((migration) => migration.id))
  const pending: Array<Migration> = []
  const pendingIndex: Array<number> = []
  const changed: Array<ChangedMigration> = []
  let newestIndex = -1
  for (let index = 0; index < migrations.length; index++) {
    const migration = migrations[index]!
    const entry = entries.get(migration.id)
    if (!isApplied(entry)) {
      pending.push(migration)
      pendingIndex.push(index)
      continue
    }
    newestIndex = index
    const checksums = change(migration, entry)
    if (checksums !== undefined) changed.push({ migration, ...checksums })
  }
  const outOfOrder = pending.filter((_, i) => pendingIndex[i]! < newestIndex)
  return {
    migrations,
    entries,
    pending,
    changed,
    missing: rows.filter((row) => !registered.has(row.id)),
    outOfOrder
  }
}

const discoverBudgetMs = 30_000

/** Reads the journal in one query and works out the plan; drift is a warning, or an error in strict mode. */
export const discover = (migrations: ReadonlyArray<Migration>) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const settings = yield* MigrationConfig
    const result = plan(migrations, yield* journal.entries)
    yield* Effect.forEach(result.changed, ({ current, migration, recorded }) => Events.checksumMismatch(migration, recorded, current), {
      discard: true
    })
    if (settings.validate === "strict" && result.changed.length > 0) {
      const ids = result.changed.map(({ migration }) => migration.id)
      return yield* new ChecksumMismatch({
        ids,
        message: `MIGRATION_VALIDATE=strict: applied migrations changed since they were applied: ${ids.join(", ")}. ` +
          "Restore the files, or accept the edit with `effect-migrate repair`."
      })
    }
    return result
  }).pipe(stage("discover", discoverBudgetMs))
