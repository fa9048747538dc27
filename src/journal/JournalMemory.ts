import { Clock, Effect, Layer } from "effect"
import type { Migration } from "../migration.js"
import { type ExistingColumn, foreignJournal, isOurJournal } from "./journalSchema.js"
import { alreadyApplied, errorText, Journal, type JournalEntry, type JournalService } from "./Journal.js"

export interface MemoryJournalOptions {
  /** Rows already in the journal. */
  readonly entries?: ReadonlyArray<Partial<JournalEntry> & { readonly id: string }>
  /**
   * A table already where the journal goes, as the catalogue describes it: one that is not ours (another tool's
   * journal, an app's table) makes `ensure` and `entries` fail as the live journal does.
   */
  readonly existingTable?: {
    readonly schema: string
    readonly table: string
    readonly columns: ReadonlyArray<ExistingColumn>
  }
}

const entry = (row: Partial<JournalEntry> & { readonly id: string }): JournalEntry => ({
  name: row.id,
  description: null,
  appliedAt: new Date(0),
  durationMs: 0,
  status: "applied",
  checksum: null,
  error: null,
  timestamp: null,
  ...row
})

/** The journal's rows held in memory, with the live journal's rules: an `applied` row is never overwritten. */
export const make = (options: MemoryJournalOptions = {}): Effect.Effect<JournalService> =>
  Effect.sync(() => {
    const rows = new Map<string, JournalEntry>((options.entries ?? []).map((row) => [row.id, entry(row)]))

    /** Writes the row unless an `applied` one (or, starting, a `running` one) is there; true when written. */
    const upsert = (migration: Migration, status: "applied" | "failed" | "running", durationMs: number | null, error: string | null) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const kept = rows.get(migration.id)?.status
        if (kept === "applied" || (status === "running" && kept === "running")) return false
        rows.set(migration.id, {
          id: migration.id,
          name: migration.name,
          description: migration.description ?? null,
          appliedAt: new Date(now),
          durationMs: durationMs === null ? null : Math.round(durationMs),
          status,
          checksum: migration.checksum ?? null,
          error,
          timestamp: migration.timestamp
        })
        return true
      })

    const existing = options.existingTable
    const guard = existing === undefined || isOurJournal(existing.columns)
      ? Effect.void
      : Effect.fail(foreignJournal(existing.schema, existing.table, existing.columns))

    const markAppliedAll = (migrations: ReadonlyArray<Migration>) =>
      Effect.gen(function*() {
        const kept = migrations.find((migration) => rows.get(migration.id)?.status === "applied")
        if (kept !== undefined) return yield* Effect.fail(alreadyApplied(kept.id))
        for (const migration of migrations) yield* upsert(migration, "applied", 0, null)
      })

    const recordApplied = (migration: Migration, durationMs: number) =>
      upsert(migration, "applied", durationMs, null).pipe(
        Effect.filterOrFail((written) => written, () => alreadyApplied(migration.id)),
        Effect.asVoid
      )

    const update = (id: string, change: (row: JournalEntry) => JournalEntry | undefined) =>
      Effect.sync(() => {
        const row = rows.get(id)
        if (row === undefined) return false
        const next = change(row)
        if (next === undefined) rows.delete(id)
        else rows.set(id, next)
        return true
      })

    return Journal.of({
      ensure: guard,
      entries: Effect.zipRight(guard, Effect.sync(() => [...rows.values()])),
      recordApplied,
      recordFailure: (migration, failure) => upsert(migration, "failed", failure.durationMs, errorText(failure)),
      entry: (id) => Effect.sync(() => rows.get(id)),
      recordStarted: (migration) =>
        Effect.map(upsert(migration, "running", null, null), (written) => (written ? undefined : rows.get(migration.id))),
      markApplied: (migration) => recordApplied(migration, 0),
      markAppliedAll,
      markFailed: (id) => update(id, (row) => ({ ...row, status: "failed" })),
      remove: (id) => update(id, () => undefined),
      updateChecksum: (id, checksum) => update(id, (row) => ({ ...row, checksum }))
    })
  })

export const layer = (options: MemoryJournalOptions = {}): Layer.Layer<Journal> => Layer.effect(Journal, make(options))
