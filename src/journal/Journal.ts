import { Context, Effect } from "effect"
import type { DatabaseError, MigrationFailed, MigrationTimeout } from "../errors.js"
import type { Migration } from "../migration.js"

export type JournalStatus = "applied" | "failed"

/** One row of the `migrations` table. */
export interface JournalEntry {
  readonly id: string
  readonly name: string
  readonly description: string | null
  readonly appliedAt: Date | null
  readonly durationMs: number | null
  /** Anything other than `applied` (e.g. `failed`) means the migration is pending. */
  readonly status: string
  readonly checksum: string | null
  readonly error: string | null
  readonly timestamp: number | null
}

/** Of a journal row, what decides whether its migration is pending or changed. */
export type JournalState = Pick<JournalEntry, "id" | "status" | "checksum">

export interface RunOptions {
  /** Server-side `statement_timeout` and Effect-side timeout for the whole migration, ms. */
  readonly timeoutMs: number
  /** `lock_timeout` for each statement, ms; 0 waits for ever. */
  readonly lockTimeoutMs: number
}

export type RunError = MigrationFailed | MigrationTimeout

export interface BatchItem {
  readonly migration: Migration
  readonly options: RunOptions
}

/** What a batch did: the migrations applied, in order, and the one that failed (the rest did not run). */
export interface BatchOutcome {
  readonly applied: ReadonlyArray<{ readonly migration: Migration; readonly durationMs: number }>
  readonly failed: { readonly migration: Migration; readonly error: RunError } | undefined
}

export interface JournalService {
  /** Creates the schema and table if missing, and adds our columns to a table made by an older tool. */
  readonly ensure: Effect.Effect<void, DatabaseError>
  /** Every row, in one query. */
  readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>, DatabaseError>
  /**
   * Runs `up` and records the `applied` row in the same transaction: the row exists if and only if the
   * migration committed. Returns the duration in ms.
   */
  readonly apply: (migration: Migration, options: RunOptions) => Effect.Effect<number, RunError>
  /**
   * Applies consecutive transactional SQL migrations as `apply` does, each in its own transaction with its journal
   * row, but sends them in one round trip; the server stops at the first failure.
   */
  readonly applyBatch: (batch: ReadonlyArray<BatchItem>) => Effect.Effect<BatchOutcome>
  /** Runs `down` and deletes the row, in one transaction. */
  readonly revert: (migration: Migration, options: RunOptions) => Effect.Effect<number, RunError>
  /** Records (or overwrites with) a `failed` row carrying the error text. */
  readonly recordFailure: (migration: Migration, failure: RunError) => Effect.Effect<void, DatabaseError>
  /** Writes an `applied` row without running anything (operator's `mark-applied`). */
  readonly markApplied: (migration: Migration) => Effect.Effect<void, DatabaseError>
  /** Sets status `failed` on an existing row; false when there is no row. */
  readonly markFailed: (id: string) => Effect.Effect<boolean, DatabaseError>
  /** Deletes the row, so the migration is pending again; false when there was none. */
  readonly remove: (id: string) => Effect.Effect<boolean, DatabaseError>
  /** Stores a new checksum for an applied migration (`repair`); false when there is no row. */
  readonly updateChecksum: (id: string, checksum: string | null) => Effect.Effect<boolean, DatabaseError>
}

/**
 * A batch applied one migration at a time through `apply`, after the ones already `done`: for journals that have no
 * cheaper way, and for the part of a batch whose account must be exact.
 */
export const applyOneByOne = (
  apply: JournalService["apply"],
  items: ReadonlyArray<BatchItem>,
  done: BatchOutcome["applied"] = []
): Effect.Effect<BatchOutcome> =>
  Effect.gen(function*() {
    const applied = [...done]
    for (const { migration, options } of items) {
      const result = yield* Effect.either(apply(migration, options))
      if (result._tag === "Left") return { applied, failed: { migration, error: result.left } }
      applied.push({ migration, durationMs: result.right })
    }
    return { applied, failed: undefined }
  })

/** Owns every statement that touches the journal table. */
export class Journal extends Context.Tag("effect-migrate/Journal")<Journal, JournalService>() {}
