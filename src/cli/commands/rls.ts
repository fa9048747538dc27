import { Command } from "@effect/cli"
import { Effect } from "effect"
import { MigrationLock } from "../../database/MigrationLock.js"
import { rls } from "../../stages/rls.js"
import { live, runCommand } from "../environment.js"
import { reported } from "../exitCode.js"
import { globalOptions } from "../globalOptions.js"

/**
 * The RLS stage alone, under the migration lock; fails (exit 1) when a statement failed or a file named by RLS_FILE is
 * missing (the default file missing: nothing to do, said in one line).
 */
const runRls = Effect.scoped(
  Effect.gen(function*() {
    const lock = yield* MigrationLock
    yield* lock.acquire
    const outcome = yield* rls
    // The stage has logged it.
    const failure = outcome?.error ?? outcome?.failures[0]
    if (failure !== undefined) return yield* Effect.fail(reported(failure))
  })
)

export const rlsCommand = Command.make("rls", globalOptions, (options) =>
  runCommand(options, { command: "rls" }, () => live(runRls))).pipe(
    Command.withDescription(
      "Run only the RLS stage: each statement of RLS_FILE on its own, counting failures (exit 1 if any).\n" +
        "Example: effect-migrate rls --rls-file=sql/enable-rls.sql"
    )
  )
