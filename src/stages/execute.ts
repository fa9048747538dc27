import { Clock, Effect, Either, LogLevel, Option } from "effect"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { MigrationNotFound } from "../errors.js"
import { groupable, type GroupOutcome, MigrationGroups, type MigrationGroupsService, nextGroupSize } from "../execution/batch.js"
import { MigrationLock } from "../database/MigrationLock.js"
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
export const applyWithRetry = (migration: Migration, attemptsMade = 0) =>
  Effect.gen(function*() {
    const executor = yield* MigrationExecutor
    const settings = yield* MigrationConfig
    const options = runOptions(settings, migration)
    let attempt = attemptsMade
    if (attempt > 0) yield* Effect.sleep(retryDelayMs(attempt))
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

/** The pending migrations from `index` that go in one group of at most `size`; none for a group of one. */
const groupAt = (run: ReadonlyArray<Migration>, index: number, size: number): ReadonlyArray<Migration> => {
  let end = index
  while (end < run.length && end - index < size && groupable(run[end]!)) end++
  return end - index > 1 ? run.slice(index, end) : []
}

/** One migration through `applyWithRetry`, as the outcome of a group of one. */
const alone = (migration: Migration, attemptsMade = 0): Effect.Effect<GroupOutcome, never, MigrationExecutor | MigrationConfig> =>
  Effect.map(Effect.either(applyWithRetry(migration, attemptsMade).pipe(Effect.onInterrupt(() => interruptedWhileRunning(migration)))), (result): GroupOutcome =>
    Either.isRight(result)
      ? { applied: [{ migration, durationMs: result.right }], failed: undefined }
      : result.left._tag === "AlreadyApplied"
      ? { applied: [], failed: undefined, appliedElsewhere: [migration] }
      : { applied: [], failed: { migration, error: result.left } })

/** SIGTERM, Ctrl-C or a lost lock stopped it: say what became of it. */
const interruptedWhileRunning = (migration: Migration) =>
  Events.emit(
    LogLevel.Warning,
    "db_migration_interrupted",
    migration.transaction
      ? `⚠️ Migration ${migration.name}: interrupted while running; its transaction was rolled back`
      : `⚠️ Migration ${migration.name}: interrupted while running (transaction: false): some statements may have run; ` +
        "its journal row stays `running` and the next run reports it",
    Events.who(migration)
  )

const groupInterrupted = (group: ReadonlyArray<Migration>) =>
  Events.emit(
    LogLevel.Warning,
    "db_migration_interrupted",
    `⚠️ Migrations ${group[0]!.name} to ${group[group.length - 1]!.name}: interrupted while running; ` +
      "the transaction of the one running was rolled back (`effect-migrate status` shows which committed)",
    { migration_ids: group.map((migration) => migration.id).join(",") }
  )

const appliedElsewhere = (migration: Migration) =>
  Events.emit(
    LogLevel.Info,
    "db_migration_applied_elsewhere",
    `⏭️ Migration ${migration.name}: already applied by another runner, not run again`,
    Events.who(migration)
  )

/** A group sent together; a lock timeout (55P03) of one of them goes on through `applyWithRetry` with its retries left. */
const together = (groups: MigrationGroupsService, group: ReadonlyArray<Migration>) =>
  Effect.gen(function*() {
    const settings = yield* MigrationConfig
    const outcome = yield* groups.apply(group.map((migration) => ({ migration, options: runOptions(settings, migration) })))
    const failed = outcome.failed
    if (failed === undefined || !(failed.error._tag === "MigrationFailed" && failed.error.code === "55P03") || settings.lockRetries === 0) {
      return outcome
    }
    yield* Events.lockRetry(failed.migration, 1, settings.lockRetries, retryDelayMs(1))
    const retried = yield* alone(failed.migration, 1)
    return { ...retried, applied: [...outcome.applied, ...retried.applied] }
  })

/**
 * Runs each selected pending migration in its own transaction, stopping at the first failure. With `MigrationGroups`
 * (live), consecutive SQL migrations go in groups; one that a group left (it did not run, or the group's time limit
 * cut it short) then runs alone.
 */
export const execute = (plan: Plan, batch: Batch) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const lock = yield* Effect.serviceOption(MigrationLock)
    // Behind a transaction-mode pooler each migration takes the lock alone: no groups (see docs/locking.md).
    const groups = Option.isSome(lock) && lock.value.mode === "transaction" ? Option.none() : yield* Effect.serviceOption(MigrationGroups)
    yield* Events.runningPending(batch.run.length)
    const newestApplied = [...plan.migrations].reverse().find((m) => plan.entries.get(m.id)?.status === "applied")
    const outOfOrder = new Set(plan.outOfOrder)
    let warned = 0
    const warnUpTo = (end: number) =>
      Effect.gen(function*() {
        for (; warned < end; warned++) {
          const migration = batch.run[warned]!
          if (outOfOrder.has(migration) && newestApplied !== undefined) yield* Events.outOfOrder(migration, newestApplied.id)
        }
      })
    const applied: Array<AppliedMigration> = []
    let failed: FailedMigration | undefined
    let size = 1
    let done = 0
    while (failed === undefined && done < batch.run.length) {
      const startedAt = yield* Clock.currentTimeMillis
      const group = Option.isSome(groups) ? groupAt(batch.run, done, size) : []
      yield* warnUpTo(done + Math.max(1, group.length))
      const outcome = Option.isSome(groups) && group.length > 1
        ? yield* together(groups.value, group).pipe(Effect.onInterrupt(() => groupInterrupted(group)))
        : yield* alone(batch.run[done]!)
      const ran = Math.max(1, group.length)
      // A group that left some of its migrations: the first of them runs alone next.
      size = outcome.failed === undefined && outcome.applied.length < ran ? 1 : nextGroupSize(size, ran, (yield* Clock.currentTimeMillis) - startedAt)
      for (const { durationMs, migration } of outcome.applied) applied.push({ ...ref(migration), durationMs })
      yield* Events.appliedEach(outcome.applied)
      done += outcome.applied.length
      for (const migration of outcome.appliedElsewhere ?? []) yield* appliedElsewhere(migration)
      done += outcome.appliedElsewhere?.length ?? 0
      if (outcome.failed === undefined) continue
      const { error, migration } = outcome.failed
      failed = { ...ref(migration), durationMs: error.durationMs, error }
      yield* Events.failed(migration, error.durationMs, error)
      // An interrupted migration keeps its `running` row: the next run must say the same, not retry it.
      if (error._tag === "MigrationInterrupted") continue
      yield* journal.recordFailure(migration, error).pipe(
        Effect.catchAll((recordError) =>
          Events.aborted(recordError._tag, { message: `could not record the failure in the journal: ${recordError.message}` })
        )
      )
    }
    const skipped = [...batch.run.slice(done + (failed === undefined ? 0 : 1)), ...batch.notSelected].map(ref)
    yield* Events.results(applied.length, skipped.length, failed === undefined ? 0 : 1)
    return { applied, failed, skipped } satisfies ExecuteResult
  }).pipe((self) =>
    Effect.flatMap(MigrationConfig, (settings) => stage("execute", budgetMs(settings, batch.run))(self))
  )
