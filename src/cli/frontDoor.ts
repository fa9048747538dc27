import { HelpDoc, ValidationError } from "@effect/cli"
import { Config, Console, Effect, Option } from "effect"
import type { ProgramInfo } from "./commandInfo.js"
import { completionScript, type Shell, shells } from "./completions.js"
import { dispatch } from "./dispatch.js"
import { commandHelp, rootHelp } from "./help.js"

/** Colour only on a terminal, and not when NO_COLOR is set (https://no-color.org). */
export const colourWanted: Effect.Effect<boolean> = Config.option(Config.string("NO_COLOR")).pipe(
  Effect.map((noColor) => process.stdout.isTTY === true && Option.isNone(noColor)),
  // Reading a plain string cannot be invalid; a provider that fails to read means plain output.
  Effect.orElseSucceed(() => false)
)

/** A usage error, printed once; @effect/cli's ValidationError gives it exit code 2. */
const usageError = (message: string) =>
  Effect.zipRight(Console.error(message), Effect.fail(ValidationError.invalidArgument(HelpDoc.p(message))))

/**
 * Answers help, version and completions itself, refuses unknown commands and flags with a suggestion, and hands
 * everything else (as `[node, script, ...args]`) to `run`.
 */
export const frontDoor = <E, R>(
  info: ProgramInfo,
  version: string,
  run: (argv: ReadonlyArray<string>) => Effect.Effect<void, E, R>
) =>
(argv: ReadonlyArray<string>): Effect.Effect<void, E | ValidationError.ValidationError, R> => {
  const action = dispatch(info, argv.slice(2))
  switch (action._tag) {
    case "Help":
      return Effect.flatMap(colourWanted, (colour) =>
        Console.log(action.command === undefined ? rootHelp(info, version, colour) : commandHelp(info, action.command, colour)))
    case "Version":
      return Console.log(version)
    case "Completions":
      return (shells as ReadonlyArray<string>).includes(action.shell ?? "")
        ? Console.log(completionScript(info, action.shell as Shell))
        : usageError(`Completions for which shell? effect-migrate completions ${shells.join("|")}`)
    case "UsageError":
      return usageError(action.message)
    case "Run":
      return run([...argv.slice(0, 2), ...action.args])
  }
}
