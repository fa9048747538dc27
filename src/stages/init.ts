import { Clock, Effect, type Scope } from "effect"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { MigrationLock } from "../database/MigrationLock.js"
import { Journal } from "../journal/Journal.js"
import * as Events from "../logging/events.js"
import type { Migration } from "../migration.js"
import { MigrationSource } from "../source/MigrationSource.js"
import { importTimeoutMs } from "../source/moduleFile.js"
import { stage } from "./stageTimeout.js"

export interface Initialized {
  readonly migrations: ReadonlyArray<Migration>
}

/** Time for loading and validating migration modules, on top of the lock wait. */
const loadBudgetMs = 60_000

/** init's budget, counted from the start of the run (connecting spends from it). */
const initBudgetMs = (settings: MigrationSettings) => settings.lockWaitMs + settings.connectTimeoutMs + loadBudgetMs

/**
 * Takes the migration lock (held until the caller's scope closes), creates the journal table if missing,
 * and loads and validates every registered migration before anything runs.
 */
export const init = (startedAt: number) =>
  Effect.gen(function*() {
    const lock = yield* MigrationLock
    const journal = yield* Journal
    const source = yield* MigrationSource
    const settings = yield* MigrationConfig
    // Loading needs no lock: run it while the lock is awaited.
    const [migrations] = yield* Effect.all(
      [Effect.locally(source.load, importTimeoutMs, settings.timeoutMs), Effect.zipRight(lock.acquire, lock.exclusive === undefined ? journal.ensure : lock.exclusive(journal.ensure))],
      { concurrency: 2 }
    )
    yield* Events.initialized((yield* Clock.currentTimeMillis) - startedAt, migrations.length)
    if (migrations.length === 0 && source.directory !== undefined) yield* Events.noMigrations(source.directory)
    return { migrations } satisfies Initialized
  }).pipe(
    (self) =>
      Effect.flatMap(Effect.zip(MigrationConfig, Clock.currentTimeMillis), ([settings, now]) =>
        stage("init", initBudgetMs(settings), now - startedAt)(self)),
  )

export type InitRequirements = MigrationConfig | MigrationLock | Journal | MigrationSource | Scope.Scope
