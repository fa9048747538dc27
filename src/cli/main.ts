import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit, Fiber } from "effect"
import { passwordsIn, redactWrites } from "../database/redaction.js"
import { createCommand } from "./commands/create.js"
import { downCommand } from "./commands/down.js"
import { markAppliedCommand, markFailedCommand, resetCommand } from "./commands/journalEdit.js"
import { rlsCommand } from "./commands/rls.js"
import { statusCommand } from "./commands/status.js"
import { runUp, upCommand, upDescription, upOptions } from "./commands/up.js"
import { repairCommand, verifyCommand } from "./commands/verify.js"
import { loggedErrors } from "./environment.js"
import { ExitCode, exitCodeFor } from "./exitCode.js"
import { ParentFlags, pickGlobals } from "./globalOptions.js"
import { installModuleFallback } from "./moduleFallback.js"
import { version } from "./version.js"

installModuleFallback(import.meta.url)

const base = Command.make("effect-migrate", upOptions, runUp)

/** Global flags given before the subcommand's name reach it too. */
const inheriting = <Name extends string, R, E, A>(command: Command.Command<Name, R, E, A>) =>
  Command.provideEffect(command, ParentFlags, Effect.map(base, pickGlobals))

const root = base.pipe(
  Command.withDescription(
    `PostgreSQL schema migrations for Effect applications. Without a command: up. ${upDescription}\n` +
      "Every flag overrides its environment variable (DATABASE_URL, MIGRATIONS_DIR, ...).\n" +
      "Exit codes: 0 success; 1 a migration or RLS statement failed; 2 bad usage or configuration; " +
      "3 database unreachable or migration lock not obtained.\n" +
      "Examples: effect-migrate   |   effect-migrate status   |   effect-migrate create add_user_color   |   " +
      "effect-migrate down --dry-run"
  ),
  Command.withSubcommands([
    inheriting(upCommand),
    inheriting(statusCommand),
    inheriting(createCommand),
    inheriting(downCommand),
    inheriting(markAppliedCommand),
    inheriting(markFailedCommand),
    inheriting(resetCommand),
    inheriting(verifyCommand),
    inheriting(repairCommand),
    inheriting(rlsCommand)
  ])
)

const cli = Command.run(root, { name: "effect-migrate", version })

const describe = (error: unknown): { readonly tag: string; readonly message: string } => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tag = String(error._tag)
    const message = "message" in error && typeof error.message === "string" ? error.message : tag
    return { tag, message }
  }
  return { tag: "Unknown", message: String(error) }
}

const program = Effect.suspend(() => cli(process.argv)).pipe(
  Effect.catchAll((error) =>
    Effect.sync(() => {
      const { message, tag } = describe(error)
      const isCliValidation = typeof error === "object" && error !== null && "error" in error && "_tag" in error &&
        exitCodeFor(tag) === ExitCode.usage && !("variable" in error) && !("file" in error) && !("id" in error)
      // @effect/cli has already printed its usage errors; ours were logged when they happened.
      if (!isCliValidation && !loggedErrors.has(error as object)) process.stderr.write(`effect-migrate: ${message}\n`)
      process.exitCode = exitCodeFor(tag)
    })
  ),
  Effect.provide(NodeContext.layer)
)

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
