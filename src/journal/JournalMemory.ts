import { Effect, Layer } from "effect"
import { MigrationFailed, MigrationTimeout } from "../errors.js"
import { hintForFailure, timeoutHint } from "../logging/hints.js"
import type { Migration } from "../migration.js"
import { applyOneByOne, Journal, type JournalEntry, type JournalService, type RunOptions } from "./Journal.js"

export interface MemoryJournalOptions {
  /** Rows already in the journal. */
  readonly entries?: ReadonlyArray<Partial<JournalEntry> & { readonly id: string }>
  /** Migrations whose `up` fails, with the SQLSTATE to report (default 42601). */
  readonly failing?: Readonly<Record<string, string>>
  /** How long each migration takes, ms (virtual time: drive it with TestClock). */
  readonly durationMs?: number | ((migration: Migration) => number)
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

/**
 * A journal held in memory: `apply` runs no SQL, it records the migration as applied (or fails the
 * ones named in `failing`), so an app's start-up wiring can be tested without a database.
 */
export const make = (options: MemoryJournalOptions = {}): Effect.Effect<JournalService> =>
  Effect.sync(() => {
    const rows = new Map<string, JournalEntry>((options.entries ?? []).map((row) => [row.id, entry(row)]))
    const duration = (migration: Migration) =>
      typeof options.durationMs === "function" ? options.durationMs(migration) : options.durationMs ?? 0

    const run = (migration: Migration, timeoutMs: number, onSuccess: () => void) =>
      Effect.gen(function*() {
        const durationMs = duration(migration)
        if (durationMs > 0) yield* Effect.sleep(durationMs)
        const code = options.failing?.[migration.id]
        if (code !== undefined) {
          return yield* new MigrationFailed({
            id: migration.id,
            name: migration.name,
            message: `simulated failure (${code})`,
            code,
            hint: hintForFailure(code),
            durationMs
          })
        }
        onSuccess()
        return durationMs
      }).pipe(
        Effect.timeoutFail({
          duration: timeoutMs,
          onTimeout: () =>
            new MigrationTimeout({
              id: migration.id,
              name: migration.name,
              timeoutMs,
              message: `timed out after ${timeoutMs}ms`,
              code: "57014",
              hint: timeoutHint,
              durationMs: timeoutMs
            })
        })
      )

    const record = (migration: Migration, status: string, durationMs: number, error: string | null) =>
      rows.set(migration.id, {
        id: migration.id,
        name: migration.name,
        description: migration.description ?? null,
        appliedAt: new Date(),
        durationMs,
        status,
        checksum: migration.checksum ?? null,
        error,
        timestamp: migration.timestamp
      })

    const update = (id: string, change: (row: JournalEntry) => JournalEntry | undefined) =>
      Effect.sync(() => {
        const row = rows.get(id)
        if (row === undefined) return false
        const next = change(row)
        if (next === undefined) rows.delete(id)
        else rows.set(id, next)
        return true
      })

    const apply = (migration: Migration, runOptions: RunOptions) =>
      run(migration, runOptions.timeoutMs, () => record(migration, "applied", duration(migration), null))

    return Journal.of({
      ensure: Effect.void,
      entries: Effect.sync(() => [...rows.values()]),
      apply,
      applyBatch: (batch) => applyOneByOne(apply, batch),
      revert: (migration, runOptions) => run(migration, runOptions.timeoutMs, () => rows.delete(migration.id)),
      recordFailure: (migration, error) =>
        Effect.sync(() => void record(migration, "failed", error.durationMs, error.message)),
      markApplied: (migration) => Effect.sync(() => void record(migration, "applied", 0, null)),
      markFailed: (id) => update(id, (row) => ({ ...row, status: "failed" })),
      remove: (id) => update(id, () => undefined),
      updateChecksum: (id, checksum) => update(id, (row) => ({ ...row, checksum }))
    })
  })

export const layer = (options: MemoryJournalOptions = {}): Layer.Layer<Journal> => Layer.effect(Journal, make(options))
