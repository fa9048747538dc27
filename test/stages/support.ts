import { Database } from "../../src/database/Database.js"
import { Effect, Layer } from "effect"
import { Journal } from "../../src/journal/Journal.js"
import { runMigrations, type RunOptions } from "../../src/program.js"
import { CapturingLogger, type MemoryDatabase, testLayer, type TestLayerOptions } from "../../src/testing.js"

/**
 * Runs the whole program on the mock Layers of `effect-migrate/testing` (plus any overrides) and returns
 * its outcome with what it left behind: log messages (no timestamps), journal rows, RLS statements run.
 */
export const runMocked = <ROut = never>(
  options: TestLayerOptions,
  runOptions: RunOptions = {},
  overrides?: Layer.Layer<ROut>
) =>
  Effect.gen(function*() {
    const result = yield* Effect.either(runMigrations(runOptions))
    const logs = yield* Effect.flatMap(CapturingLogger, (capture) => capture.messages)
    const lines = yield* Effect.flatMap(CapturingLogger, (capture) => capture.lines)
    const rows = yield* Effect.flatMap(Journal, (journal) => journal.entries)
    const database: Partial<MemoryDatabase> = yield* Database
    return { result, logs, lines, rows, executed: [...(database.executed ?? [])] }
  }).pipe(Effect.provide(overrides === undefined ? testLayer(options) : Layer.merge(testLayer(options), overrides)))

/** A row of the memory journal by id. */
export const row = <R extends { readonly id: string }>(rows: ReadonlyArray<R>, id: string) => rows.find((r) => r.id === id)
