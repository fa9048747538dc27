import { Effect, Either, Layer } from "effect"
import { createDatabase, dropDatabase, type TestDatabase } from "../support/testDatabase.js"
import * as Config from "../../src/config.js"
import type { LogFormat } from "../../src/config.js"
import { runMigrationsLive, type RunOptions } from "../../src/program.js"
import type { MigrationReport } from "../../src/report.js"
import { CapturingLogger } from "../../src/testing.js"

export type Settings = Parameters<typeof Config.make>[0]

/** Runs the live pipeline in process with the given settings, capturing its log lines. */
export const runLive = (settings: Settings, options: RunOptions = {}, format: LogFormat = "text") =>
  Effect.gen(function*() {
    const result = yield* Effect.either(runMigrationsLive(options))
    const capture = yield* CapturingLogger
    return { result, logs: yield* capture.messages, lines: yield* capture.lines }
  }).pipe(Effect.provide(Layer.merge(Config.layer(settings), CapturingLogger.layer(format))))

/** The report of a run that must have got going (no configuration, connection or load error). */
export const reportOf = <E>(result: Either.Either<MigrationReport, E>): MigrationReport => {
  if (Either.isLeft(result)) throw new Error(`the run failed: ${JSON.stringify(result.left)}`)
  return result.right
}

/** Log messages with durations replaced by `Nms`, for comparing with DESIGN.md's lines. */
export const normalise = (messages: ReadonlyArray<string>): ReadonlyArray<string> =>
  messages.map((message) => message.replace(/\b\d+ms\b/g, "Nms"))

/** A fresh database of its own for one test, dropped afterwards. */
export const withFreshDatabase = <A, E, R>(prefix: string, use: (db: TestDatabase) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => createDatabase(prefix)),
    use,
    (db) => Effect.promise(() => dropDatabase(db.name))
  )
