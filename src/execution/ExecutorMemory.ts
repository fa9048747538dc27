import { Effect, Layer } from "effect"
import { Journal } from "../journal/Journal.js"
import type { Migration } from "../migration.js"
import { attempt } from "./attempt.js"
import { checkRow, interrupted } from "./claim.js"
import { migrationFailure } from "./failure.js"
import { fromRunBody, MigrationExecutor, type RunBody } from "./MigrationExecutor.js"

export interface MemoryExecutorOptions {
  /** Migrations whose body fails, with the SQLSTATE to report (57014 is a timeout, as the server's would be). */
  readonly failing?: Readonly<Record<string, string>>
  /** How long each migration takes, ms (virtual time: drive it with TestClock). */
  readonly durationMs?: number | ((migration: Migration) => number)
}

/**
 * Runs no SQL: each body takes `durationMs` (sleeping on the Clock) and fails if named in `failing`, then the journal
 * write is made, as the live executor makes it, under the same timeout and with the same failures.
 */
export const make = (options: MemoryExecutorOptions = {}) =>
  Effect.map(Journal, (journal) => {
    const duration = (migration: Migration) =>
      typeof options.durationMs === "function" ? options.durationMs(migration) : options.durationMs ?? 0

    /** As the live executor: the row read again, and a `running` row written (or found) for `transaction: false`. */
    const guard = (migration: Migration, timeoutMs: number) =>
      checkRow(journal, migration, !migration.transaction, (error) => migrationFailure(migration, error, 0, timeoutMs)).pipe(
        Effect.flatMap((kept) => (kept === undefined ? Effect.void : Effect.fail(interrupted(migration, kept))))
      )

    const run: RunBody = (migration, _body, runOptions, write, direction) =>
      Effect.zipRight(direction === "up" ? guard(migration, runOptions.timeoutMs) : Effect.void, attempt(migration, runOptions, () => undefined, ({ fail, record }) =>
        Effect.gen(function*() {
          const durationMs = duration(migration)
          if (durationMs > 0) yield* Effect.sleep(durationMs)
          const code = options.failing?.[migration.id]
          if (code !== undefined) return yield* fail({ code, message: `simulated failure (${code})` })
          return yield* record(write)
        })))

    return fromRunBody(journal, run)
  })

/** The memory executor, writing its rows through the Journal of the environment (e.g. the memory journal). */
export const layer = (options: MemoryExecutorOptions = {}): Layer.Layer<MigrationExecutor, never, Journal> =>
  Layer.effect(MigrationExecutor, make(options))
