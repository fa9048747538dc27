import { Cause, Clock, Effect } from "effect"
import type { DatabaseError } from "../errors.js"
import type { AlreadyApplied, RunError } from "../journal/Journal.js"
import type { Migration } from "../migration.js"
import { appliedByAnotherRunner, migrationFailure, type Script, timeoutFailure } from "./failure.js"
import type { RunOptions } from "./MigrationExecutor.js"

/** The journal write that commits with a migration: its `applied` row, or the row's removal for a revert. */
export type JournalWrite = (durationMs: number) => Effect.Effect<unknown, AlreadyApplied | DatabaseError>

/** One run of a migration, as its body sees it. */
export interface Attempt {
  /** Fails the migration with the error of a query, or of its own code. */
  readonly fail: (cause: unknown, script?: Script) => Effect.Effect<never, RunError>
  /** Makes the journal write, timed from the start of the attempt; returns the duration it recorded. */
  readonly record: (write: JournalWrite) => Effect.Effect<number, RunError>
}

/**
 * Runs `use` timed by the Clock, under the migration's timeout (whose interruption cancels a running query), with a
 * defect in user code as that migration's failure. `statement` names what ran out of time, when it can be told.
 */
export const attempt = <R>(
  migration: Migration,
  options: RunOptions,
  statement: () => string | undefined,
  use: (attempt: Attempt) => Effect.Effect<number, RunError, R>
): Effect.Effect<number, RunError, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - startedAt)
    const fail: Attempt["fail"] = (cause, script) =>
      Effect.flatMap(elapsed, (durationMs) => Effect.fail(migrationFailure(migration, cause, durationMs, options.timeoutMs, script)))
    const record: Attempt["record"] = (write) =>
      Effect.flatMap(elapsed, (durationMs) =>
        write(durationMs).pipe(
          Effect.catchTags({
            AlreadyApplied: () => Effect.fail(appliedByAnotherRunner(migration, durationMs)),
            DatabaseError: (error) => fail(error)
          }),
          Effect.as(durationMs)
        ))
    return use({ fail, record }).pipe(
      Effect.catchAllDefect((defect) => fail(Cause.isCause(defect) ? Cause.squash(defect) : defect)),
      Effect.timeoutFail({
        duration: options.timeoutMs,
        onTimeout: () => timeoutFailure(migration, options.timeoutMs, options.timeoutMs, undefined, statement())
      })
    )
  })
