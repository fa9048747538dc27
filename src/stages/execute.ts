import { Clock, Effect, Either } from "effect"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { MigrationNotFound } from "../errors.js"
import { Journal, type RunError, type RunOptions } from "../journal/Journal.js"
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
export const applyWithRetry = (migration: Migration, attemptsMade = 0) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const settings = yield* MigrationConfig
    const options = runOptions(settings, migration)
    let attempt = attemptsMade
    if (attempt > 0) yield* Effect.sleep(retryDelayMs(attempt))
    while (true) {
      const result = yield* Effect.either(journal.apply(migration, options))
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

/** Transactional SQL migrations can share a round trip; each keeps its own transaction and journal row. */
const batchable = (migration: Migration) => migration.up._tag === "Sql" && migration.transaction

const maxBatch = 100

/**
 * A group grows (1, 2, 4, ... up to maxBatch) while groups come back well within this time, and after a slower one
 * holds as many as fit in it at the pace that group went: a slow migration (alone longer than this) brings it back to
 * 1, so it never holds back the log lines of many others, while a run of fast ones that merely filled a big group keeps
 * a group's worth of them per round trip instead of starting again at 1.
 */
const fastGroupMs = 200

/** The next group's size, after `ran` migrations (a group of at most `size`) took `elapsedMs`. */
export const nextGroupSize = (size: number, ran: number, elapsedMs: number) =>
  Math.max(1, Math.min(maxBatch, size * 2, Math.floor((ran * fastGroupMs) / Math.max(1, elapsedMs))))

const isLockTimeout = (error: RunError) => error._tag === "MigrationFailed" && error.code === "55P03"

/**
 * Runs a group of pending migrations: alone through `applyWithRetry`, or several consecutive SQL ones in one
 * round trip, where a lock timeout of one of them continues through `applyWithRetry` with its retries left.
 */
const applyGroup = (group: ReadonlyArray<Migration>) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const settings = yield* MigrationConfig
    if (group.length === 1) {
      const migration = group[0]!
      const result = yield* Effect.either(applyWithRetry(migration))
      return Either.isRight(result)
        ? { applied: [{ migration, durationMs: result.right }], failed: undefined }
        : { applied: [], failed: { migration, error: result.left } }
    }
    const outcome = yield* journal.applyBatch(group.map((migration) => ({ migration, options: runOptions(settings, migration) })))
    if (outcome.failed === undefined || !isLockTimeout(outcome.failed.error) || settings.lockRetries === 0) return outcome
    const { migration } = outcome.failed
    yield* Events.lockRetry(migration, 1, settings.lockRetries, retryDelayMs(1))
    const retried = yield* Effect.either(applyWithRetry(migration, 1))
    return Either.isRight(retried)
      ? { applied: [...outcome.applied, { migration, durationMs: retried.right }], failed: undefined }
      : { applied: outcome.applied, failed: { migration, error: retried.left } }
  })

/** Runs each selected pending migration in its own transaction, stopping at the first failure. */
export const execute = (plan: Plan, batch: Batch) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    yield* Events.runningPending(batch.run.length)
    const newestApplied = [...plan.migrations].reverse().find((m) => plan.entries.get(m.id)?.status === "applied")
    const outOfOrder = new Set(plan.outOfOrder)
    const applied: Array<AppliedMigration> = []
    let failed: FailedMigration | undefined
    let index = 0
    let groupSize = 1
    while (index < batch.run.length) {
      let end = index + 1
      if (batchable(batch.run[index]!)) {
        while (end < batch.run.length && end - index < groupSize && batchable(batch.run[end]!)) end++
      }
      const group = batch.run.slice(index, end)
      for (const migration of group) {
        if (outOfOrder.has(migration) && newestApplied !== undefined) yield* Events.outOfOrder(migration, newestApplied.id)
      }
      const groupStartedAt = yield* Clock.currentTimeMillis
      const outcome = yield* applyGroup(group)
      groupSize = nextGroupSize(groupSize, group.length, (yield* Clock.currentTimeMillis) - groupStartedAt)
      for (const { durationMs, migration } of outcome.applied) applied.push({ ...ref(migration), durationMs })
      yield* Events.appliedEach(outcome.applied)
      index += outcome.applied.length
      if (outcome.failed === undefined) continue
      const { error, migration } = outcome.failed
      failed = { ...ref(migration), durationMs: error.durationMs, error }
      yield* Events.failed(migration, error.durationMs, error)
      yield* journal.recordFailure(migration, error).pipe(
        Effect.catchAll((recordError) =>
          Events.aborted(recordError._tag, { message: `could not record the failure in the journal: ${recordError.message}` })
        )
      )
      break
    }
    const skipped = [...batch.run.slice(failed === undefined ? index : index + 1), ...batch.notSelected].map(ref)
    yield* Events.results(applied.length, skipped.length, failed === undefined ? 0 : 1)
    return { applied, failed, skipped } satisfies ExecuteResult
  }).pipe((self) =>
    Effect.flatMap(MigrationConfig, (settings) => stage("execute", budgetMs(settings, batch.run))(self))
  )
