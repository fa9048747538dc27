import { Console, Context, Effect } from "effect"
import { redactSecrets } from "../database/redaction.js"

/** The passwords of this run (DATABASE_URL, --database-url, PGPASSWORD): nothing the CLI prints shows them. */
export class Secrets extends Context.Tag("effect-migrate/cli/Secrets")<Secrets, ReadonlyArray<string>>() {}

/**
 * A Console that prints through `console` without the secrets: what @effect/cli prints (usage errors, help) and
 * the commands' own output (`status`, `--dry-run` plans) go through it.
 */
export const redactingConsole = (secrets: ReadonlyArray<string>, console: Console.Console): Console.Console => {
  const clean = (args: ReadonlyArray<unknown>) =>
    args.map((arg) => (typeof arg === "string" ? redactSecrets(secrets, arg) : arg))
  return {
    ...console,
    log: (...args) => console.log(...clean(args)),
    error: (...args) => console.error(...clean(args)),
    info: (...args) => console.info(...clean(args)),
    warn: (...args) => console.warn(...clean(args)),
    debug: (...args) => console.debug(...clean(args)),
    trace: (...args) => console.trace(...clean(args)),
    unsafe: {
      ...console.unsafe,
      log: (...args) => console.unsafe.log(...clean(args)),
      error: (...args) => console.unsafe.error(...clean(args)),
      info: (...args) => console.unsafe.info(...clean(args)),
      warn: (...args) => console.unsafe.warn(...clean(args)),
      debug: (...args) => console.unsafe.debug(...clean(args)),
      trace: (...args) => console.unsafe.trace(...clean(args))
    }
  }
}

/** Runs `self` printing through the redacting Console. */
export const withRedactingConsole = (secrets: ReadonlyArray<string>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Console.consoleWith((console) => Console.withConsole(self, redactingConsole(secrets, console)))

/**
 * A reader that goes away (`effect-migrate status | head`) closes the pipe: the rest of the output is dropped
 * instead of the run crashing half-way. Any other stream error is thrown, as Node would.
 */
export const tolerateClosedPipes = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error
    })
  }
}
