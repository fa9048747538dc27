import { Clock, Effect, Layer } from "effect"
import { MigrationConfig, type MigrationSettings } from "./config.js"
import * as Connect from "./database/connect.js"
import * as MigrationLock from "./database/MigrationLock.js"
import type { InitError, MigrationNotFound, RunFailure } from "./errors.js"
import * as MigrationGroups from "./execution/batch.js"
import * as ExecutorLive from "./execution/ExecutorLive.js"
import * as JournalLive from "./journal/JournalLive.js"
import * as Events from "./logging/events.js"
import type { MigrationReport } from "./report.js"
import * as MigrationSource from "./source/MigrationSource.js"
import { discover } from "./stages/discover.js"
import { execute, select, type Selection } from "./stages/execute.js"
import { init } from "./stages/init.js"
import { report } from "./stages/report.js"
import { rls } from "./stages/rls.js"

export interface RunOptions {
  /** Which pending migrations to run; all by default. */
  readonly selection?: Selection | undefined
  /** Run the RLS stage (default true; skipped anyway when RLS_FILE is `none`). */
  readonly rls?: boolean | undefined
}

/** Whether a run has an RLS stage: not with `rls: false` (`--no-rls`), nor when RLS_FILE is off. */
const runsRls = (options: RunOptions, settings: MigrationSettings) => options.rls !== false && settings.rlsEnabled

/** The five stages, under one migration lock held from before the journal is touched until after RLS. */
export const pipeline = (options: RunOptions, startedAt: number) =>
  Effect.scoped(
    Effect.gen(function*() {
      const settings = yield* MigrationConfig
      const lock = yield* MigrationLock.MigrationLock
      const { migrations } = yield* init(startedAt)
      const stages = Effect.gen(function*() {
        const plan = yield* discover(migrations)
        const batch = yield* select(plan, options.selection ?? {})
        const execution = yield* execute(plan, batch)
        const rlsOutcome = runsRls(options, settings) ? yield* rls : undefined
        return yield* report({ registered: migrations.length, startedAt, execution, rls: rlsOutcome })
      })
      // A lost lock interrupts whatever runs (a migration's query is cancelled and rolled back) and ends the run.
      return yield* lock.lost === undefined ? stages : Effect.raceFirst(stages, lock.lost)
    })
  )

const logAbort = <A, E extends { readonly _tag: string; readonly message: string }, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, (error) =>
    Events.aborted(error._tag, {
      message: error.message,
      code: "code" in error && typeof error.code === "string" ? error.code : undefined
    }))

/** The run's first lines, then `body`; its abort line if it fails. */
const run = <A, E extends { readonly _tag: string; readonly message: string }, R>(body: (startedAt: number) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    yield* Events.started
    yield* Events.initializing
    return yield* body(startedAt)
  }).pipe(logAbort, Effect.withSpan("effect-migrate/runMigrations"))

/**
 * Runs the pipeline with the services of the environment (live, or the mock Layers of `effect-migrate/testing`).
 * A failed migration or RLS statement is in the report (`success: false`); the error channel is for runs
 * that could not get going (configuration, connection, lock, bad migration files).
 */
export const runMigrations = (options: RunOptions = {}) => run((startedAt) => pipeline(options, startedAt))

/** The live services for DATABASE_URL, with the migrations of `source` (default: the directory MIGRATIONS_DIR). */
export const liveServicesWith = <E>(source: Layer.Layer<MigrationSource.MigrationSource, E, MigrationConfig>) =>
  Layer.mergeAll(
    Layer.merge(ExecutorLive.layer, MigrationGroups.layer).pipe(Layer.provideMerge(JournalLive.layer)),
    MigrationLock.layer,
    source
  ).pipe(
    Layer.provideMerge(Connect.layer)
  )

/** The live services for DATABASE_URL and MIGRATIONS_DIR. */
export const liveServices = liveServicesWith(MigrationSource.fromConfig)

/**
 * `runMigrations` on the live services, connected after the run's first lines; the migrations come from
 * MIGRATIONS_DIR unless `source` is given (e.g. `migrationsFromArray([...])` for migrations bundled in code).
 */
export const runMigrationsLive = (
  options: RunOptions = {},
  source: Layer.Layer<MigrationSource.MigrationSource, never, MigrationConfig> = MigrationSource.fromConfig
) => run((startedAt) => Effect.provide(pipeline(options, startedAt), liveServicesWith(source)))

/** The report's failure as the error channel: for callers that must not go on after a failed run. */
export const failOnFailure = <E, R>(
  self: Effect.Effect<MigrationReport, E, R>
): Effect.Effect<MigrationReport, E | RunFailure, R> =>
  Effect.flatMap(self, (result) => (result.failure === undefined ? Effect.succeed(result) : Effect.fail(result.failure)))

export type RunError = InitError | MigrationNotFound
