import { describe, expect, it } from "@effect/vitest"
import { nextGroupSize } from "../../src/stages/execute.js"

describe("group size of consecutive SQL migrations", () => {
  it("doubles while groups come back quickly, up to 100", () => {
    expect(nextGroupSize(1, 1, 5)).toBe(2)
    expect(nextGroupSize(32, 32, 60)).toBe(64)
    expect(nextGroupSize(100, 100, 50)).toBe(100)
  })

  it("after a slower group, holds as many as fit in 200 ms at the pace that group went", () => {
    // 64 migrations of 4.5 ms each: not back to 1, but the 44 that fit.
    expect(nextGroupSize(64, 64, 288)).toBe(44)
    expect(nextGroupSize(44, 44, 198)).toBe(44)
  })

  it("a slow migration brings it back to 1", () => {
    expect(nextGroupSize(64, 64, 10_000)).toBe(1)
    expect(nextGroupSize(8, 1, 250)).toBe(1)
  })
})
