import { Cause, Effect, Exit, Fiber } from "effect"
import { passwordsIn, redactWrites } from "../database/redaction.js"
import { loggedErrors } from "./environment.js"
import { ExitCode, exitCodeFor } from "./exitCode.js"

const describe = (error: unknown): { readonly tag: string; readonly message: string } => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tag = String(error._tag)
    const message = "message" in error && typeof error.message === "string" ? error.message : tag
    return { tag, message }
  }
  return { tag: "Unknown", message: String(error) }
}

/** A command's failure as its exit code, printed once unless it was logged already (or is @effect/cli's usage error). */
export const exitOnFailure = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | void, never, R> =>
  Effect.catchAll(self, (error) =>
    Effect.sync(() => {
      const { message, tag } = describe(error)
      const isCliValidation = typeof error === "object" && error !== null && "error" in error && "_tag" in error &&
        exitCodeFor(tag) === ExitCode.usage && !("variable" in error) && !("file" in error) && !("id" in error)
      // @effect/cli has already printed its usage errors; ours were logged when they happened.
      if (!isCliValidation && !loggedErrors.has(error as object)) process.stderr.write(`effect-migrate: ${message}\n`)
      process.exitCode = exitCodeFor(tag)
    }))

/** Runs a CLI program as this process: redacted output, a closed pipe tolerated, Ctrl-C interrupts, exit code set. */
export const runAsProcess = (program: Effect.Effect<unknown>): void => {
  // No password from DATABASE_URL, --database-url or PGPASSWORD reaches the output, whichever path printed it:
  // every write to stdout and stderr goes through the redaction, so nothing here needs to scrub its own text.
  const secrets = [
    ...passwordsIn([process.env.DATABASE_URL ?? "", ...process.argv.slice(2)]),
    ...(process.env.PGPASSWORD ? [process.env.PGPASSWORD] : [])
  ]
  redactWrites(process.stdout, secrets)
  redactWrites(process.stderr, secrets)

  // A closed pipe (`effect-migrate status | head`) must not crash a run half-way: the rest of the output is dropped.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error
    })
  }

  const fiber = Effect.runFork(program)
  const interrupt = () => Effect.runFork(Fiber.interrupt(fiber))
  process.once("SIGINT", interrupt)
  process.once("SIGTERM", interrupt)
  fiber.addObserver((exit) => {
    process.off("SIGINT", interrupt)
    process.off("SIGTERM", interrupt)
    if (Exit.isFailure(exit)) {
      if (!Cause.isInterruptedOnly(exit.cause)) process.stderr.write(`effect-migrate: ${Cause.pretty(exit.cause)}\n`)
      process.exitCode = Cause.isInterruptedOnly(exit.cause) ? 130 : ExitCode.failed
    }
    // Done, lock released: the database connections are closing in the background, and waiting for the server to
    // close its side (10-20 ms) would only delay the exit. Unless some output is still queued for a slow reader.
    setImmediate(() => {
      if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit()
    })
  })
}
