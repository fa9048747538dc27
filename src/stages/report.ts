import { Clock, Effect } from "effect"
import type { RunFailure } from "../errors.js"
import * as Events from "../logging/events.js"
import type { MigrationReport, RlsOutcome } from "../report.js"
import type { ExecuteResult } from "./execute.js"
import { stage } from "./stageTimeout.js"

/** The first thing that went wrong: a migration, then the RLS file, statements or coverage. */
const firstFailure = (execution: ExecuteResult, rls: RlsOutcome | undefined): RunFailure | undefined =>
  execution.failed?.error ?? rls?.error ?? rls?.failures[0]

const rlsProblems = (rls: RlsOutcome | undefined): ReadonlyArray<string> => {
  if (rls === undefined) return []
  const problems: Array<string> = []
  if (rls.failed > 0) problems.push(`${rls.failed} RLS ${rls.failed === 1 ? "statement" : "statements"} failed`)
  if (rls.error?._tag === "RlsFileMissing") problems.push("RLS file not found")
  if (rls.error?._tag === "RlsCoverageIncomplete") {
    problems.push(`${rls.unprotectedTables.length} tenant ${rls.unprotectedTables.length === 1 ? "table" : "tables"} without RLS`)
  }
  return problems
}

/** Logs the outcome and returns it as a value. */
export const report = (input: {
  readonly registered: number
  readonly startedAt: number
  readonly execution: ExecuteResult
  readonly rls: RlsOutcome | undefined
}) =>
  Effect.gen(function*() {
    const { execution, rls } = input
    const durationMs = (yield* Clock.currentTimeMillis) - input.startedAt
    const failure = firstFailure(execution, rls)
    if (failure === undefined) {
      yield* Events.completed(durationMs, execution.applied.length)
    } else {
      yield* Events.completedWithErrors(
        durationMs,
        execution.applied.length,
        execution.failed === undefined ? 0 : 1,
        rlsProblems(rls)
      )
      if (execution.failed !== undefined) yield* Events.failedMigration(execution.failed)
    }
    return {
      registered: input.registered,
      applied: execution.applied,
      skipped: execution.skipped,
      failed: execution.failed === undefined ? [] : [execution.failed],
      rls,
      durationMs,
      success: failure === undefined,
      failure
    } satisfies MigrationReport
  }).pipe(stage("report", 5_000))
