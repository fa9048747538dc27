import { ValidationError } from "@effect/cli"
import type { Teardown } from "@effect/platform/Runtime"
import { Cause, Exit, Option, Schema } from "effect"
import { redactSecrets } from "../database/redaction.js"

/** 0 success; 1 a migration or RLS statement failed; 2 bad usage or configuration; 3 database unreachable or lock not obtained. */
export const ExitCode = { success: 0, failed: 1, usage: 2, unavailable: 3, interrupted: 130 } as const

/** A command's failure that its log or output already shows: it ends the run with its error's exit code, unprinted. */
export class Reported extends Schema.TaggedError<Reported>()("Reported", {
  /** The `_tag` of the error shown. */
  tag: Schema.String,
  message: Schema.String
}) {}

export const reported = (error: { readonly _tag: string; readonly message: string }): Reported =>
  error instanceof Reported ? error : new Reported({ tag: error._tag, message: error.message })

const exitCodeFor = (tag: string): number => {
  switch (tag) {
    case "DatabaseUnavailable":
    case "LockTimeout":
    case "LockLost":
      return ExitCode.unavailable
    case "ConfigError":
    case "MigrationLoadError":
    case "DuplicateMigrationId":
    case "MigrationNotFound":
    case "MigrationIrreversible":
    case "AdoptionRefused":
      return ExitCode.usage
    default:
      return ExitCode.failed
  }
}

const describe = (error: unknown): { readonly tag: string; readonly message: string } =>
  typeof error === "object" && error !== null && "_tag" in error
    ? { tag: String(error._tag), message: "message" in error && typeof error.message === "string" ? error.message : String(error._tag) }
    : { tag: "Unknown", message: String(error) }

/** The exit code of a failed run; prints the failure unless something showed it already. */
const failureCode = (cause: Cause.Cause<unknown>, print: (text: string) => void): number => {
  if (Cause.isInterruptedOnly(cause)) return ExitCode.interrupted
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) {
    print(Cause.pretty(cause))
    return ExitCode.failed
  }
  // @effect/cli has printed its usage errors (through the Console).
  if (ValidationError.isValidationError(failure.value)) return ExitCode.usage
  if (failure.value instanceof Reported) return exitCodeFor(failure.value.tag)
  const { message, tag } = describe(failure.value)
  print(message)
  return exitCodeFor(tag)
}

/**
 * A run's end as its exit code: 0 on success, 130 when interrupted (Ctrl-C, SIGTERM), else its failure's code. A
 * failure that nothing has shown yet is printed, once, without the secrets.
 */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>, secrets: ReadonlyArray<string>, write: (text: string) => void): number =>
  Exit.isSuccess(exit)
    ? ExitCode.success
    : failureCode(exit.cause, (text) => write(redactSecrets(secrets, `effect-migrate: ${text}\n`)))

/** The one place where the CLI's run becomes an exit code: NodeRuntime.runMain's teardown. */
export const teardown = (secrets: ReadonlyArray<string>): Teardown => (exit, onExit) =>
  onExit(exitCodeOf(exit, secrets, (text) => void process.stderr.write(text)))
