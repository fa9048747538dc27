import { Effect } from "effect"
import { MigrationFailed, MigrationInterrupted } from "../errors.js"
import { alreadyApplied, type AlreadyApplied, type JournalEntry, type JournalService } from "../journal/Journal.js"
import type { Migration } from "../migration.js"
import { lockKey } from "../database/MigrationLock.js"

/**
 * What every migration's own transaction does first, under the per-migration lock: read its journal row again
 * (another runner may have applied it since the plan was read) and, for `transaction: false`, record that it starts.
 */

/** The key of the lock each migration's transaction takes: apart from the session lock's, which a runner holds meanwhile. */
export const migrationLockKey = (schema: string, table: string): string => lockKey(schema, `${table}#migration`)


/**
 * Fails with AlreadyApplied when the row says `applied`. With `start` (a `transaction: false` migration going up),
 * writes its `running` row, or returns the `running` row an earlier run left (the caller decides what it means).
 */
export const checkRow = <E>(
  journal: JournalService,
  migration: Migration,
  start: boolean,
  onError: (error: unknown) => E
): Effect.Effect<JournalEntry | undefined, AlreadyApplied | E> =>
  (start ? journal.recordStarted(migration) : journal.entry(migration.id)).pipe(
    Effect.mapError(onError),
    Effect.flatMap((row) =>
      row?.status === "applied"
        ? Effect.fail(alreadyApplied(migration.id))
        : Effect.succeed(start && row?.status === "running" ? row : undefined)
    )
  )

/** A `running` row that no runner is finishing: what to check, and which command says what happened. */
export const interrupted = (migration: Migration, row: JournalEntry, stillRunningElsewhere = false) =>
  new MigrationInterrupted({
    id: migration.id,
    name: migration.name,
    startedAt: row.appliedAt?.toISOString(),
    message: `${migration.id} (transaction: false) was started${
      row.appliedAt === null ? "" : ` at ${row.appliedAt.toISOString()}`
    } by a run that did not finish it${
      stillRunningElsewhere ? " (or another runner is still running it)" : " (killed, or its connection lost)"
    }: some of its statements may have run, so it is not run again on its own leftovers`,
    hint: `check what it did in the database; if it completed, \`effect-migrate mark-applied ${migration.id}\`; ` +
      `otherwise undo what it left and \`effect-migrate reset ${migration.id}\`, then run again`,
    durationMs: 0
  })

/** Waiting for another runner's migration ran out (55P03 on the per-migration lock). */
export const waitedTooLong = (migration: Migration, waitMs: number, code: string | undefined) =>
  new MigrationFailed({
    id: migration.id,
    name: migration.name,
    message: `waited ${waitMs}ms for another runner's migration to finish (MIGRATION_LOCK_WAIT)`,
    code,
    hint: "another runner is migrating this schema: run again once it is done, or raise MIGRATION_LOCK_WAIT",
    durationMs: 0
  })
