import { Command } from "@effect/cli"
import { Effect } from "effect"
import { MigrationLock } from "../../database/MigrationLock.js"
import { rls } from "../../stages/rls.js"
import { live, withSettings } from "../environment.js"
import { ExitCode } from "../exitCode.js"
import { globalOptions, withFlags } from "../globalOptions.js"

/** The RLS stage alone, under the migration lock; exit 1 when a statement failed or the file is missing. */
const runRls = Effect.scoped(
  Effect.gen(function*() {
    const lock = yield* MigrationLock
    yield* lock.acquire
    const outcome = yield* rls
    if (outcome.failed > 0 || outcome.error !== undefined) {
      yield* Effect.sync(() => (process.exitCode = ExitCode.failed))
    }
  })
)

export const rlsCommand = Command.make("rls", globalOptions, (options) =>
  withSettings(() => live(runRls), { command: "rls" }).pipe(withFlags(options))).pipe(
    Command.withDescription(
      "Run only the RLS stage: each statement of RLS_FILE on its own, counting failures (exit 1 if any).\n" +
        "Example: effect-migrate rls --rls-file=sql/enable-rls.sql"
    )
  )
