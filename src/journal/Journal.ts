import { Context, type Effect, Schema } from "effect"
import type { ConfigError, DatabaseError, MigrationFailed, MigrationInterrupted, MigrationTimeout } from "../errors.js"
import type { Migration } from "../migration.js"

export type JournalStatus = "applied" | "failed" | "running"

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

/** A migration's failure, as its `failed` row records it. */
export type RunError = MigrationFailed | MigrationTimeout | MigrationInterrupted

/** The journal kept a row whose status is `applied`: a migration is applied once, even by a runner that lost the lock. */
export class AlreadyApplied extends Schema.TaggedError<AlreadyApplied>()("AlreadyApplied", {
  id: Schema.String,
  message: Schema.String
}) {}

export interface JournalService {
  /**
   * Creates the schema and table if missing, and adds our columns to an older journal of ours. A table of that name
   * that is not ours (see `isOurJournal`) fails with a `ConfigError` naming it, before any change.
   */
  readonly ensure: Effect.Effect<void, ConfigError | DatabaseError>
  /** Every row; none when the table does not exist yet; a `ConfigError` when the table is not ours. */
  readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>, ConfigError | DatabaseError>
  /**
   * Writes the migration's `applied` row, replacing a `failed` one; an `applied` row is kept and the write refused.
   * Run inside the migration's transaction, so that the row commits with it or not at all.
   */
  readonly recordApplied: (migration: Migration, durationMs: number) => Effect.Effect<void, AlreadyApplied | DatabaseError>
  /** Writes (or replaces) a `failed` row carrying the error text; false when an `applied` row was kept instead. */
  readonly recordFailure: (migration: Migration, failure: RunError) => Effect.Effect<boolean, DatabaseError>
  /** The row of one migration, read now (inside the caller's transaction when there is one). */
  readonly entry: (id: string) => Effect.Effect<JournalEntry | undefined, DatabaseError>
  /**
   * Records that a `transaction: false` migration starts, before its first statement: a `running` row (applied_at =
   * when it started), replacing a `failed` one. An `applied` or `running` row is kept and returned instead.
   */
  readonly recordStarted: (migration: Migration) => Effect.Effect<JournalEntry | undefined, DatabaseError>
  /** Writes an `applied` row without running anything (operator's `mark-applied`), as `recordApplied` does. */
  readonly markApplied: (migration: Migration) => Effect.Effect<void, AlreadyApplied | DatabaseError>
  /**
   * Writes `applied` rows for all of them without running anything (`baseline`, `adopt`): multi-row INSERTs in one
   * transaction, replacing `failed` rows. When any has an `applied` row already, nothing is written and it fails.
   */
  readonly markAppliedAll: (migrations: ReadonlyArray<Migration>) => Effect.Effect<void, AlreadyApplied | DatabaseError>
  /** Sets status `failed` on an existing row; false when there is no row. */
  readonly markFailed: (id: string) => Effect.Effect<boolean, DatabaseError>
  /** Deletes the row, so the migration is pending again; false when there was none. */
  readonly remove: (id: string) => Effect.Effect<boolean, DatabaseError>
  /** Stores a new checksum for an applied migration (`repair`); false when there is no row. */
  readonly updateChecksum: (id: string, checksum: string | null) => Effect.Effect<boolean, DatabaseError>
}

/** The text a `failed` row's `error` column holds. */
export const errorText = (error: RunError): string =>
  [
    error.code !== undefined ? `${error.code}: ` : "",
    error.message,
    error.statement !== undefined ? `\nstatement: ${error.statement}` : ""
  ].join("")

export const alreadyApplied = (id: string) =>
  new AlreadyApplied({ id, message: `${id} is already recorded as applied; the journal keeps that row` })

/** Owns every statement that touches the journal table. */
export class Journal extends Context.Tag("effect-migrate/Journal")<Journal, JournalService>() {}
