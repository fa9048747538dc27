import { Clock, Effect, Layer, Redacted } from "effect"
import { MigrationConfig, type MigrationSettings } from "./config.js"
import * as Connect from "./database/connect.js"
import * as MigrationLock from "./database/MigrationLock.js"
import { parseTarget } from "./database/target.js"
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
import { beginUpToDateCheck, reportUpToDate } from "./stages/upToDate.js"

export interface RunOptions {
  /** Which pending migrations to run; all by default. */
  readonly selection?: Selection | undefined
  /** Run the RLS stage (default true; skipped anyway when RLS_FILE is `none`). */
  readonly rls?: boolean | undefined
}

/** `RLS_FILE=none` (or empty, off, false) skips the RLS stage. */
export const rlsDisabled = (file: string) => ["", "none", "off", "false"].includes(file.trim().toLowerCase())

/** Whether a run has an RLS stage: not with `rls: false` (`--no-rls`), nor when RLS_FILE is off. */
const runsRls = (options: RunOptions, settings: MigrationSettings) => options.rls !== false && !rlsDisabled(settings.rlsFile)

/** The five stages, under one migration lock held from before the journal is touched until after RLS. */
export const pipeline = (options: RunOptions, startedAt: number) =>
  Effect.scoped(
    Effect.gen(function*() {
      const settings = yield* MigrationConfig
      const { migrations } = yield* init(startedAt)
      const plan = yield* discover(migrations)
      const batch = yield* select(plan, options.selection ?? {})
      const execution = yield* execute(plan, batch)
      const rlsOutcome = runsRls(options, settings) ? yield* rls : undefined
      return yield* report({ registered: migrations.length, startedAt, execution, rls: rlsOutcome })
    })
  )

const logAbort = <A, E extends { readonly _tag: string; readonly message: string }, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, (error) =>
    Events.aborted(error._tag, {
      message: error.message,
      code: "code" in error && typeof error.code === "string" ? error.code : undefined
    }))

/**
 * Runs the pipeline with the services of the environment (live, or the mock Layers of `effect-migrate/testing`).
 * A failed migration or RLS statement is in the report (`success: false`); the error channel is for runs
 * that could not get going (configuration, connection, lock, bad migration files).
 */
export const runMigrations = (options: RunOptions = {}) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    yield* Events.started
    yield* Events.initializing
    return yield* pipeline(options, startedAt)
  }).pipe(logAbort, Effect.withSpan("effect-migrate/runMigrations"))

/** The live services for DATABASE_URL and MIGRATIONS_DIR (modules this run imported already taken as they are). */
const liveServicesWith = (loadedModules?: MigrationSource.LoadedModules) =>
  Layer.mergeAll(Layer.merge(ExecutorLive.layer, MigrationGroups.layer).pipe(Layer.provideMerge(JournalLive.layer)), MigrationLock.layer, MigrationSource.fromConfigWith(loadedModules)).pipe(
    Layer.provideMerge(Connect.layer)
  )

/** The live services for DATABASE_URL and MIGRATIONS_DIR. */
export const liveServices = liveServicesWith()

/**
 * A run that may end after the up-to-date check: every pending migration (no selection), no RLS stage, on PostgreSQL
 * (PGlite has one session, which the pipeline would then have to open again).
 */
const mayBeUpToDate = (options: RunOptions, settings: MigrationSettings) =>
  options.selection?.only === undefined && options.selection?.to === undefined &&
  !runsRls(options, settings) &&
  parseTarget(Redacted.value(settings.databaseUrl)).engine === "postgres"

/**
 * Runs the pipeline; a start-up with nothing to do ends after the up-to-date check, with the same log lines and report
 * as the pipeline's. The check starts connecting before the first lines are logged; any failure to connect is left
 * to the pipeline, which reports it after them.
 */
export const runMigrationsLive = (options: RunOptions = {}) =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const settings = yield* MigrationConfig
    const check = yield* Effect.scoped(
      Effect.gen(function*() {
        const look = mayBeUpToDate(options, settings) ? yield* beginUpToDateCheck(settings) : undefined
        yield* Events.started
        yield* Events.initializing
        return look === undefined ? undefined : yield* look
      })
    )
    if (check === undefined) return yield* pipeline(options, startedAt).pipe(Effect.provide(liveServices))
    if (check.upToDate) return yield* reportUpToDate(check.registered, check.directory, startedAt)
    return yield* pipeline(options, startedAt).pipe(Effect.provide(liveServicesWith(check.loadedModules)))
  }).pipe(logAbort, Effect.withSpan("effect-migrate/runMigrations"))

/** The report's failure as the error channel: for callers that must not go on after a failed run. */
export const failOnFailure = <E, R>(
  self: Effect.Effect<MigrationReport, E, R>
): Effect.Effect<MigrationReport, E | RunFailure, R> =>
  Effect.flatMap(self, (result) => (result.failure === undefined ? Effect.succeed(result) : Effect.fail(result.failure)))

export type RunError = InitError | MigrationNotFound
