import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect } from "effect"
import { passwordsIn } from "../../src/database/redaction.js"
import * as Events from "../../src/logging/events.js"
import * as MigrationLogger from "../../src/logging/MigrationLogger.js"

const password = `S3cret'pw\\"x`
const secrets = passwordsIn([`postgres://app:${encodeURIComponent(password)}@db/app?password=Qu3ry-pw`])

const logged = (format: "text" | "json", self: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    yield* self.pipe(Effect.provide(MigrationLogger.layer(format, (line) => void lines.push(line), secrets)))
    return lines
  })

const events = Effect.all([
  Events.aborted("DatabaseUnavailable", { message: `password authentication failed (${password})`, code: "28P01" }),
  Events.failed({ id: "a", name: "A" }, 1, { message: "syntax error", statement: `SELECT '${password}', 'Qu3ry-pw'` }),
  Effect.logError("an uncaught error", Cause.die(new Error(`connect postgres://app:${password}@db/app failed`)))
], { discard: true })

describe("the logger redacts secrets", () => {
  it.effect("in every text line, the rendered cause included", () =>
    Effect.gen(function*() {
      const lines = yield* logged("text", events)
      expect(lines.join("\n")).toContain("password authentication failed (***)")
      expect(lines.join("\n")).toContain("connect postgres://app:***@db/app failed")
      for (const line of lines) {
        expect(line).not.toContain("S3cret")
        expect(line).not.toContain("Qu3ry-pw")
      }
    }))

  it.effect("in every JSON line, where the password is JSON-escaped", () =>
    Effect.gen(function*() {
      const lines = yield* logged("json", events)
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(entries[0]).toMatchObject({ event: "db_migration_aborted", error: "password authentication failed (***)" })
      expect(entries[1]).toMatchObject({ statement_preview: "SELECT '***', '***'" })
      expect(entries[2]!.cause).toContain("connect postgres://app:***@db/app failed")
      for (const line of lines) {
        expect(line).not.toContain("S3cret")
        expect(line).not.toContain("Qu3ry-pw")
      }
    }))

  it.effect("writes lines unchanged when there is no secret", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      yield* Events.started.pipe(Effect.provide(MigrationLogger.layer("text", (line) => void lines.push(line))))
      expect(lines).toEqual([expect.stringMatching(/\] \[INFO\] 🔄 Database migration process started$/)])
    }))
})
