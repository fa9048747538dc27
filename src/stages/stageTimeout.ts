import { Effect } from "effect"
import { StageTimeout } from "../errors.js"

/**
 * Fails with StageTimeout once the stage's budget is used up; `spentMs` of it went before this part started (init's
 * look at the journal, before the pipeline's own init).
 */
export const timeLimit = (name: string, timeoutMs: number, spentMs = 0) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | StageTimeout, R> =>
  Effect.timeoutFail(self, {
    duration: Math.max(1, Math.round(timeoutMs - spentMs)),
    onTimeout: () =>
      new StageTimeout({
        stage: name,
        timeoutMs: Math.round(timeoutMs),
        message: `the ${name} stage did not finish within ${Math.round(timeoutMs)}ms`
      })
  })

/** Bounds a stage in time and names it in traces. */
export const stage = (name: string, timeoutMs: number, spentMs = 0) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | StageTimeout, R> =>
  self.pipe(timeLimit(name, timeoutMs, spentMs), Effect.withSpan(`effect-migrate/${name}`))
