import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import type { MigrationConfig } from "../../config.js"
import { MigrationNotFound } from "../../errors.js"
import { Journal } from "../../journal/Journal.js"
import type { Plan } from "../../stages/discover.js"
import * as CliEvents from "../events.js"
import { live, runCommand } from "../environment.js"
import { globalOptions } from "../globalOptions.js"
import { underLock } from "../recordApplied.js"
import { readPlan } from "../state.js"

/** The seed's manual-recovery SQL as commands: each under the migration lock, each logging what it changed. */

const idArg = { id: Args.text({ name: "id" }).pipe(Args.withDescription("the migration's id, e.g. 20240102000000_create_users")) }

const notFound = (command: string, id: string) =>
  new MigrationNotFound({ id, message: `${command} ${id}: no migration on disk or in the journal has this id` })

/** What the journal says about an id: its row's status, or `pending` when there is no row. */
const stateOf = (plan: Plan, id: string) => plan.entries.get(id)?.status ?? "pending (no journal row)"

/** Writes an `applied` row for a migration on disk without running it (it was applied by hand). */
const markApplied = (id: string) =>
  underLock(Effect.gen(function*() {
    const journal = yield* Journal
    const plan = yield* readPlan
    const migration = plan.migrations.find((candidate) => candidate.id === id)
    if (migration === undefined) {
      return yield* new MigrationNotFound({
        id,
        message: plan.entries.has(id)
          ? `mark-applied ${id}: it is in the journal but has no file; restore the file first`
          : `mark-applied ${id}: no migration on disk has this id`
      })
    }
    const previous = stateOf(plan, id)
    if (plan.entries.get(id)?.status === "applied") return yield* CliEvents.unchanged(migration, "is already applied")
    yield* journal.ensure
    yield* journal.markApplied(migration)
    yield* CliEvents.markedApplied(migration, previous)
  }))

/** Sets an existing row to `failed`, so the next `up` runs the migration again. */
const markFailed = (id: string) =>
  underLock(Effect.gen(function*() {
    const journal = yield* Journal
    const plan = yield* readPlan
    const entry = plan.entries.get(id)
    const migration = plan.migrations.find((candidate) => candidate.id === id) ?? entry
    if (migration === undefined) return yield* notFound("mark-failed", id)
    if (entry === undefined) return yield* CliEvents.unchanged(migration, "has no journal row: it is pending already")
    if (entry.status === "failed") return yield* CliEvents.unchanged(migration, "is already marked failed")
    yield* journal.markFailed(id)
    yield* CliEvents.markedFailed(migration, entry.status)
  }))

/** Deletes the row, so the migration is pending again. */
const reset = (id: string) =>
  underLock(Effect.gen(function*() {
    const journal = yield* Journal
    const plan = yield* readPlan
    const entry = plan.entries.get(id)
    const migration = plan.migrations.find((candidate) => candidate.id === id) ?? entry
    if (migration === undefined) return yield* notFound("reset", id)
    if (entry === undefined) return yield* CliEvents.unchanged(migration, "has no journal row: it is pending already")
    yield* journal.remove(id)
    yield* CliEvents.journalRowRemoved(migration, entry.status)
  }))

const journalCommand = (
  name: string,
  run: (id: string) => Effect.Effect<void, { readonly _tag: string; readonly message: string }, MigrationConfig>,
  description: string
) =>
  Command.make(name, { ...globalOptions, ...idArg }, (options) =>
    runCommand(options, { command: name }, () => run(options.id))).pipe(Command.withDescription(description))

export const markAppliedCommand = journalCommand(
  "mark-applied",
  (id) => live(markApplied(id)),
  "Record a migration as applied without running it (it was applied by hand). The id must be a migration on disk.\n" +
    "Example: effect-migrate mark-applied 20240102000000_create_users"
)

export const markFailedCommand = journalCommand(
  "mark-failed",
  (id) => live(markFailed(id)),
  "Mark a migration's journal row failed, so the next up runs it again.\n" +
    "Example: effect-migrate mark-failed 20240102000000_create_users"
)

export const resetCommand = journalCommand(
  "reset",
  (id) => live(reset(id)),
  "Delete a migration's journal row, so it is pending again (nothing is undone in the schema).\n" +
    "Example: effect-migrate reset 20240102000000_create_users"
)
