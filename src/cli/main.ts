import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { secretsIn } from "../config.js"
import { adoptCommand } from "./commands/adopt.js"
import { baselineCommand } from "./commands/baseline.js"
import { createCommand } from "./commands/create.js"
import { downCommand } from "./commands/down.js"
import { lintCommand } from "./commands/lint.js"
import { markAppliedCommand, markFailedCommand, resetCommand } from "./commands/journalEdit.js"
import { rlsCommand } from "./commands/rls.js"
import { statusCommand } from "./commands/status.js"
import { rootOptions, runUp, upCommand, upDescription } from "./commands/up.js"
import { repairCommand, verifyCommand } from "./commands/verify.js"
import { teardown } from "./exitCode.js"
import { programInfo } from "./commandInfo.js"
import { frontDoor } from "./frontDoor.js"
import { globalOptions, ParentFlags, pickGlobals } from "./globalOptions.js"
import { Secrets, tolerateClosedPipes, withRedactingConsole } from "./output.js"
import { resolveFromCli } from "./resolveHook.js"
import { version } from "./version.js"

/** In the order help lists them. */
const subcommands = [
  upCommand,
  statusCommand,
  createCommand,
  downCommand,
  markAppliedCommand,
  markFailedCommand,
  resetCommand,
  verifyCommand,
  repairCommand,
  rlsCommand,
  baselineCommand,
  adoptCommand,
  lintCommand
] as const

const base = Command.make("effect-migrate", rootOptions, runUp)

/** Global flags given before the subcommand's name (and the environment's values) reach it too. */
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
    inheriting(rlsCommand),
    inheriting(baselineCommand),
    inheriting(adoptCommand),
    inheriting(lintCommand)
  ])
)

const cli = frontDoor(
  programInfo({ root, base, subcommands, globals: Command.make("effect-migrate", globalOptions) }),
  version,
  Command.run(root, { name: "effect-migrate", version })
)

tolerateClosedPipes()
resolveFromCli(import.meta.url)

const secrets = Effect.runSync(secretsIn(process.argv.slice(2)))

NodeRuntime.runMain(
  Effect.suspend(() => cli(process.argv)).pipe(
    withRedactingConsole(secrets),
    Effect.provideService(Secrets, secrets),
    Effect.provide(NodeContext.layer)
  ),
  { disableErrorReporting: true, disablePrettyLogger: true, teardown: teardown(secrets) }
)
