import { Effect, Either } from "effect"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { MigrationNotFound } from "../errors.js"
import { MigrationExecutor, type RunOptions } from "../execution/MigrationExecutor.js"
import { Journal } from "../journal/Journal.js"
import * as Events from "../logging/events.js"
import type { Migration } from "../migration.js"
import type { AppliedMigration, FailedMigration, MigrationRef } from "../report.js"
import type { Plan } from "./discover.js"
import { stage } from "./stageTimeout.js"

/** Which pending migrations to run: all, one (`--migration`), or up to and including one (`--to`). */
export interface Selection {
  readonly only?: string | undefined
  readonly to?: string | undefined
}

export interface Batch {
  readonly run: ReadonlyArray<Migration>
  /** Pending, but outside the selection. */
  readonly notSelected: ReadonlyArray<Migration>
}

export interface ExecuteResult {
  readonly applied: ReadonlyArray<AppliedMigration>
  readonly failed: FailedMigration | undefined
  /** Pending and not run: after a failure, or outside the selection. */
  readonly skipped: ReadonlyArray<MigrationRef>
}

const unknownId = (id: string, flag: string) =>
  new MigrationNotFound({ id, message: `${flag}=${id}: no registered migration has this id` })

/** Pure: splits the pending migrations by the selection. */
export const select = (plan: Plan, selection: Selection): Either.Either<Batch, MigrationNotFound> => {
  if (selection.only !== undefined) {
    const only = selection.only
    if (!plan.migrations.some((migration) => migration.id === only)) return Either.left(unknownId(only, "--migration"))
    return Either.right({
      run: plan.pending.filter((migration) => migration.id === only),
      notSelected: plan.pending.filter((migration) => migration.id !== only)
    })
  }
  if (selection.to !== undefined) {
    const to = selection.to
    const index = plan.migrations.findIndex((migration) => migration.id === to)
    if (index < 0) return Either.left(unknownId(to, "--to"))
    const target = plan.migrations[index]!
    const included = (migration: Migration) =>
      migration.timestamp < target.timestamp || (migration.timestamp === target.timestamp && migration.id <= target.id)
    return Either.right({ run: plan.pending.filter(included), notSelected: plan.pending.filter((m) => !included(m)) })
  }
  return Either.right({ run: plan.pending, notSelected: [] })
}

const ref = (migration: Migration): MigrationRef => ({ id: migration.id, name: migration.name })

export const runOptions = (settings: MigrationSettings, migration: Migration): RunOptions => ({
  timeoutMs: migration.timeoutMs ?? settings.timeoutMs,
  lockTimeoutMs: settings.lockTimeoutMs
})

const retryDelayMs = (attempt: number) => Math.min(10_000, 500 * 2 ** (attempt - 1))

/** Applies one migration; a lock timeout (55P03) is retried with backoff up to MIGRATION_LOCK_RETRIES. */
export const applyWithRetry = (migration: Migration) =>
  Effect.gen(function*() {
    const executor = yield* MigrationExecutor
    const settings = yield* MigrationConfig
    const options = runOptions(settings, migration)
    let attempt = 0
    while (true) {
      const result = yield* Effect.either(executor.apply(migration, options))
      if (Either.isRight(result)) return result.right
      const error = result.left
      if (!(error._tag === "MigrationFailed" && error.code === "55P03" && attempt < settings.lockRetries)) {
        return yield* Effect.fail(error)
      }
      attempt++
      yield* Events.lockRetry(migration, attempt, settings.lockRetries, retryDelayMs(attempt))
      yield* Effect.sleep(retryDelayMs(attempt))
    }
  })

const budgetMs = (settings: MigrationSettings, migrations: ReadonlyArray<Migration>) =>
  30_000 + migrations.reduce((total, migration) => {
    const options = runOptions(settings, migration)
    let retries = 0
    for (let attempt = 1; attempt <= settings.lockRetries; attempt++) retries += retryDelayMs(attempt)
    return total + options.timeoutMs * (settings.lockRetries + 1) + retries
  }, 0)

/** Runs each selected pending migration in its own transaction, stopping at the first failure. */
export const execute = (plan: Plan, batch: Batch) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    yield* Events.runningPending(batch.run.length)
    const newestApplied = [...plan.migrations].reverse().find((m) => plan.entries.get(m.id)?.status === "applied")
    const outOfOrder = new Set(plan.outOfOrder)
    const applied: Array<AppliedMigration> = []
    let failed: FailedMigration | undefined
    for (const migration of batch.run) {
      if (outOfOrder.has(migration) && newestApplied !== undefined) yield* Events.outOfOrder(migration, newestApplied.id)
      const result = yield* Effect.either(applyWithRetry(migration))
      if (Either.isRight(result)) {
        applied.push({ ...ref(migration), durationMs: result.right })
        yield* Events.applied(migration, result.right)
        continue
      }
      const error = result.left
      failed = { ...ref(migration), durationMs: error.durationMs, error }
      yield* Events.failed(migration, error.durationMs, error)
      yield* journal.recordFailure(migration, error).pipe(
        Effect.catchAll((recordError) =>
          Events.aborted(recordError._tag, { message: `could not record the failure in the journal: ${recordError.message}` })
        )
      )
      break
    }
    const skipped = [...batch.run.slice(applied.length + (failed === undefined ? 0 : 1)), ...batch.notSelected].map(ref)
    yield* Events.results(applied.length, skipped.length, failed === undefined ? 0 : 1)
    return { applied, failed, skipped } satisfies ExecuteResult
  }).pipe((self) =>
    Effect.flatMap(MigrationConfig, (settings) => stage("execute", budgetMs(settings, batch.run))(self))
  )
