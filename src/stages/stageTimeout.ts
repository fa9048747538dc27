import { Effect } from "effect"
import { StageTimeout } from "../errors.js"

/** Bounds a stage in time and names it in traces. */
export const stage = (name: string, timeoutMs: number) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | StageTimeout, R> =>
  self.pipe(
    Effect.timeoutFail({
      duration: Math.max(1, Math.round(timeoutMs)),
      onTimeout: () =>
        new StageTimeout({
          stage: name,
          timeoutMs: Math.round(timeoutMs),
          message: `the ${name} stage did not finish within ${Math.round(timeoutMs)}ms`
        })
    }),
    Effect.withSpan(`effect-migrate/${name}`)
  )
