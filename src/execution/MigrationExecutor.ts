import { Context, Effect } from "effect"
import type { AlreadyApplied, JournalService, RunError } from "../journal/Journal.js"
import type { Migration, MigrationBody } from "../migration.js"
import type { JournalWrite } from "./attempt.js"
import { noDownMigration } from "./failure.js"

export interface RunOptions {
  /** Server-side `statement_timeout` and Effect-side timeout for the whole migration, ms. */
  readonly timeoutMs: number
  /** `lock_timeout` for each statement, ms; 0 waits for ever. */
  readonly lockTimeoutMs: number
}

export interface MigrationExecutorService {
  /**
   * Runs `up` and records the `applied` row in the same transaction: the row exists if and only if the migration
   * committed. Returns the duration recorded, ms. Fails with AlreadyApplied, running nothing, when its row says
   * `applied` once its transaction holds the per-migration lock (another runner applied it meanwhile).
   */
  readonly apply: (migration: Migration, options: RunOptions) => Effect.Effect<number, RunError | AlreadyApplied>
  /** Runs `down` and deletes the row, in one transaction. Returns the duration, ms. */
  readonly revert: (migration: Migration, options: RunOptions) => Effect.Effect<number, RunError>
}

/** Runs a migration: its `up` or `down` and the journal write that goes with it, in one transaction. */
export class MigrationExecutor extends Context.Tag("effect-migrate/MigrationExecutor")<
  MigrationExecutor,
  MigrationExecutorService
>() {}

/** How an executor runs one body of a migration together with its journal write; returns the recorded duration. */
export type RunBody = (
  migration: Migration,
  body: MigrationBody,
  options: RunOptions,
  write: JournalWrite,
  direction: "up" | "down"
) => Effect.Effect<number, RunError | AlreadyApplied>

/** An executor from the way it runs a body: what `apply` and `revert` write to the journal is the same for all. */
export const fromRunBody = (journal: JournalService, run: RunBody): MigrationExecutorService =>
  MigrationExecutor.of({
    apply: (migration, options) =>
      run(migration, migration.up, options, (durationMs) => journal.recordApplied(migration, durationMs), "up").pipe(
        Effect.withSpan("effect-migrate/MigrationExecutor.apply", {
          attributes: { "migration.id": migration.id },
          captureStackTrace: false
        })
      ),
    revert: (migration, options) =>
      migration.down === undefined
        ? Effect.fail(noDownMigration(migration))
        : run(migration, migration.down, options, () => journal.remove(migration.id), "down").pipe(
          // A revert reads no row first: AlreadyApplied cannot come from it.
          Effect.catchTag("AlreadyApplied", (error) => Effect.die(error)),
          Effect.withSpan("effect-migrate/MigrationExecutor.revert", { attributes: { "migration.id": migration.id } })
        )
  })
