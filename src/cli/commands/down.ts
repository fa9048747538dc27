import { Command, Options } from "@effect/cli"
import { Console, Effect, Either, Option } from "effect"
import { MigrationConfig } from "../../config.js"
import { MigrationLock } from "../../database/MigrationLock.js"
import { MigrationExecutor } from "../../execution/MigrationExecutor.js"
import type { Migration } from "../../migration.js"
import { runOptions } from "../../stages/execute.js"
import * as CliEvents from "../events.js"
import { live, runCommand } from "../environment.js"
import { reported } from "../exitCode.js"
import { globalOptions } from "../globalOptions.js"
import { type RollbackSelection, rollbackTargets } from "../rollback.js"
import { readPlan } from "../state.js"

const downOptions = {
  ...globalOptions,
  steps: Options.integer("steps").pipe(
    Options.withDescription("how many applied migrations to roll back, newest first (default 1)"),
    Options.optional
  ),
  to: Options.text("to").pipe(
    Options.withDescription("roll back every applied migration after this id (the id itself stays applied)"),
    Options.optional
  ),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print what would be rolled back and change nothing"))
}

const targetsOf = (selection: RollbackSelection) =>
  Effect.flatMap(readPlan, (plan) => Either.match(rollbackTargets(plan, selection), { onLeft: Effect.fail, onRight: Effect.succeed }))

const renderDryRun = (targets: ReadonlyArray<Migration>) =>
  targets.length === 0
    ? "Dry run: nothing to roll back.\nNothing was changed."
    : [
      `Dry run: ${targets.length} migration${targets.length === 1 ? "" : "s"} would be rolled back, in this order:`,
      ...targets.flatMap((migration, index) => [
        `${index + 1}. ${migration.id}  ${migration.name}`,
        ...(migration.down?._tag === "Sql"
          ? migration.down.sql.trim().split("\n").filter((line) => line.trim() !== "").map((line) => `   | ${line}`)
          : [])
      ]),
      "Nothing was changed."
    ].join("\n")

/** Reverts the selected migrations newest first, each through its `down` in a transaction that deletes its row. */
const rollBack = (selection: RollbackSelection) =>
  Effect.scoped(
    Effect.gen(function*() {
      const lock = yield* MigrationLock
      const executor = yield* MigrationExecutor
      const settings = yield* MigrationConfig
      yield* lock.acquire
      // Read after taking the lock, so the plan is not stale.
      const targets = yield* targetsOf(selection)
      if (targets.length === 0) return yield* CliEvents.nothingToRollBack
      yield* CliEvents.rollbackStarted(targets.length)
      let reverted = 0
      for (const migration of targets) {
        const result = yield* Effect.either(executor.revert(migration, runOptions(settings, migration)))
        if (Either.isLeft(result)) {
          const error = result.left
          yield* CliEvents.revertFailed(migration, error.durationMs, error)
          yield* CliEvents.rollbackResults(reverted, 1)
          return yield* Effect.fail(reported(error))
        }
        reverted++
        yield* CliEvents.reverted(migration, result.right)
      }
      yield* CliEvents.rollbackResults(reverted, 0)
    })
  )

export const downCommand = Command.make("down", downOptions, (options) => {
  const selection: RollbackSelection = { steps: Option.getOrUndefined(options.steps), to: Option.getOrUndefined(options.to) }
  return options.dryRun
    ? runCommand(options, { command: "down --dry-run", logToStderr: true }, () =>
      live(targetsOf(selection)).pipe(Effect.flatMap((targets) => Console.log(renderDryRun(targets)))))
    : runCommand(options, { command: "down", progress: true }, () => live(rollBack(selection)))
}).pipe(
  Command.withDescription(
    "Roll back the newest applied migration (or --steps=N, or all after --to=<id>), newest first, each through its " +
      "down in a transaction that removes its journal row. Stops before changing anything if one has no down.\n" +
      "Examples: effect-migrate down   |   effect-migrate down --steps=2   |   " +
      "effect-migrate down --to=20240102000000_create_users --dry-run"
  )
)
