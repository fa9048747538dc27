import { HelpDoc, ValidationError } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Exit, FiberId } from "effect"
import { exitCodeOf, Reported } from "../../src/cli/exitCode.js"
import { ConfigError, LockTimeout, MigrationFailed } from "../../src/errors.js"

/** The one place a CLI run becomes an exit code, and where a failure nothing has shown yet is printed. */
const run = (exit: Exit.Exit<unknown, unknown>) => {
  const printed: Array<string> = []
  const code = exitCodeOf(exit, ["s3cr3t"], (text) => printed.push(text))
  return { code, printed }
}

describe("exit codes of a run's end", () => {
  it("0 on success, 130 when interrupted, nothing printed", () => {
    expect(run(Exit.void)).toEqual({ code: 0, printed: [] })
    expect(run(Exit.interrupt(FiberId.none))).toEqual({ code: 130, printed: [] })
  })

  it("a failure not yet shown is printed once, redacted, with its code", () => {
    const config = run(Exit.fail(new ConfigError({ variable: "DATABASE_URL", message: "DATABASE_URL: bad s3cr3t" })))
    expect(config).toEqual({ code: 2, printed: ["effect-migrate: DATABASE_URL: bad ***\n"] })
    const defect = run(Exit.failCause(Cause.die(new Error("boom s3cr3t"))))
    expect(defect.code).toBe(1)
    expect(defect.printed).toHaveLength(1)
    expect(defect.printed[0]).toContain("boom ***")
  })

  it("a reported failure (already logged) is not printed again; its code is its error's", () => {
    const lock = new LockTimeout({ waitedMs: 300, message: "could not obtain the migration lock" })
    expect(run(Exit.fail(new Reported({ tag: lock._tag, message: lock.message })))).toEqual({ code: 3, printed: [] })
    const failed = new MigrationFailed({ id: "a", name: "A", message: "x", durationMs: 1 })
    expect(run(Exit.fail(new Reported({ tag: failed._tag, message: failed.message })))).toEqual({ code: 1, printed: [] })
  })

  it("@effect/cli's usage errors (it printed them) exit 2", () => {
    expect(run(Exit.fail(ValidationError.invalidValue(HelpDoc.p("bad"))))).toEqual({ code: 2, printed: [] })
  })
})
