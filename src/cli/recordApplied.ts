import { Effect, LogLevel } from "effect"
import { MigrationLock } from "../database/MigrationLock.js"
import { Journal } from "../journal/Journal.js"
import { emit } from "../logging/events.js"
import type { Migration } from "../migration.js"

/** Recording migrations as applied without running them, in bulk (`baseline`, `adopt`). */

const plural = (count: number) => `${count} migration${count === 1 ? "" : "s"}`

/** Takes the migration lock for `self`, as every command that writes the journal does. */
export const underLock = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.scoped(Effect.zipRight(Effect.flatMap(MigrationLock, (lock) => lock.acquire), self))

/** The plan's lines: what would be recorded, and what is left as it is. */
export const renderRecordPlan = (
  title: string,
  record: ReadonlyArray<Migration>,
  notes: ReadonlyArray<string>
): string =>
  [
    record.length === 0 ? `${title}: nothing to record.` : `${title}: ${plural(record.length)} to record as applied (nothing is run):`,
    ...record.map((migration, index) => `${index + 1}. ${migration.id}  ${migration.name}`),
    ...notes
  ].join("\n")

/** Writes every `applied` row in one transaction (creating or upgrading the journal first), and logs it. */
export const recordAllApplied = (command: string, record: ReadonlyArray<Migration>, detail: string) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    yield* journal.ensure
    yield* journal.markAppliedAll(record)
    yield* emit(
      LogLevel.Info,
      `db_migration_${command}`,
      record.length === 0
        ? `ℹ️ Nothing changed: ${detail}`
        : `✍️ Recorded ${plural(record.length)} as applied (${detail}); nothing was run`,
      { command, count: record.length, first_id: record[0]?.id, last_id: record.at(-1)?.id }
    )
  })
