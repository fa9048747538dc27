import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import { StageTimeout } from "../../src/errors.js"
import { stage } from "../../src/stages/stageTimeout.js"

describe("stage time budgets", () => {
  it.effect("a stage whose budget was partly spent before it started (init after the up-to-date look) gets the rest", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.either(stage("init", 1_000, 400)(Effect.never)))
      yield* TestClock.adjust(599)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust(1)
      const error = Either.flip(yield* Fiber.join(fiber)).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(StageTimeout)
      // The message names the whole budget, which is what the settings add up to.
      expect(error).toMatchObject({ stage: "init", timeoutMs: 1_000, message: "the init stage did not finish within 1000ms" })
    }))

  it.effect("a budget already used up still lets the stage start, and fails it at once", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.either(stage("init", 1_000, 5_000)(Effect.never)))
      yield* TestClock.adjust(1)
      expect(Either.isLeft(yield* Fiber.join(fiber))).toBe(true)
    }))
})
