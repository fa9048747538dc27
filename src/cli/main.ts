import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit, Fiber } from "effect"
import { redactPassword } from "../database/target.js"
import { runUp, upOptions } from "./commands/up.js"
import { statusCommand } from "./commands/status.js"
import { upCommand } from "./commands/up.js"
import { loggedErrors } from "./environment.js"
import { ExitCode, exitCodeFor } from "./exitCode.js"
import { version } from "./version.js"

const root = Command.make("effect-migrate", upOptions, runUp).pipe(
  Command.withDescription("PostgreSQL schema migrations for Effect applications. Without a command: up."),
  Command.withSubcommands([upCommand, statusCommand])
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

const scrub = (text: string) => redactPassword(process.env.DATABASE_URL ?? "", text)

const program = Effect.suspend(() => cli(process.argv)).pipe(
  Effect.catchAll((error) =>
    Effect.sync(() => {
      const { message, tag } = describe(error)
      const isCliValidation = typeof error === "object" && error !== null && "error" in error && "_tag" in error &&
        exitCodeFor(tag) === ExitCode.usage && !("variable" in error) && !("file" in error) && !("id" in error)
      // @effect/cli has already printed its usage errors; ours were logged when they happened.
      if (!isCliValidation && !loggedErrors.has(error as object)) process.stderr.write(`effect-migrate: ${scrub(message)}\n`)
      process.exitCode = exitCodeFor(tag)
    })
  ),
  Effect.provide(NodeContext.layer)
)

const fiber = Effect.runFork(program)
const interrupt = () => Effect.runFork(Fiber.interrupt(fiber))
process.once("SIGINT", interrupt)
process.once("SIGTERM", interrupt)
fiber.addObserver((exit) => {
  process.off("SIGINT", interrupt)
  process.off("SIGTERM", interrupt)
  if (Exit.isFailure(exit)) {
    if (!Cause.isInterruptedOnly(exit.cause)) process.stderr.write(scrub(`effect-migrate: ${Cause.pretty(exit.cause)}\n`))
    process.exitCode = Cause.isInterruptedOnly(exit.cause) ? 130 : ExitCode.failed
  }
})
