import { it } from "@effect/vitest"
import { Effect } from "effect"
import { expect } from "vitest"
import * as Config from "../src/config.js"
import { runMigrationsLive } from "../src/program.js"
import { CapturingLogger } from "../src/testing.js"
import { useTestDatabase } from "./support/testDatabase.js"

const db = useTestDatabase("smoke")

it.live("applies the example app", () =>
  Effect.gen(function*() {
    const report = yield* runMigrationsLive()
    expect(report.success).toBe(true)
    expect(report.applied.length).toBe(5)
    const logs = yield* CapturingLogger.pipe(Effect.flatMap((c) => c.messages))
    expect(logs.at(-1)).toMatch(/completed successfully/)
  }).pipe(
    Effect.provide(Config.layer({ databaseUrl: db.current.url })),
    Effect.provide(CapturingLogger.layer())
  ))
