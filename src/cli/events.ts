import { LogLevel } from "effect"
import { emit, type FailureDetail, preview, who } from "../logging/events.js"
import { hintForAbort } from "../logging/hints.js"
import type { Migration } from "../migration.js"

/** Log events of the operator commands (down, mark-*, reset, repair), in the format of the pipeline's. */

type Ref = Pick<Migration, "id" | "name">

const detail = (failure: FailureDetail) => ({ error: failure.message, code: failure.code, hint: failure.hint })

export const rollbackStarted = (count: number) =>
  emit(LogLevel.Info, "db_migration_rollback_started", `⏪ Rolling back ${count} migration${count === 1 ? "" : "s"}...`, {
    count
  })

export const nothingToRollBack = emit(LogLevel.Info, "db_migration_rollback_nothing", "✅ Nothing to roll back", {})

export const reverted = (migration: Ref, durationMs: number) =>
  emit(LogLevel.Info, "db_migration_reverted", `↩️ Migration ${migration.name}: REVERTED (${durationMs}ms)`, {
    ...who(migration),
    duration_ms: durationMs
  })

export const revertFailed = (migration: Ref, durationMs: number, failure: FailureDetail) =>
  emit(LogLevel.Error, "db_migration_revert_failed", `❌ Migration ${migration.name}: REVERT FAILED (${durationMs}ms)`, {
    ...who(migration),
    duration_ms: durationMs,
    ...detail(failure),
    statement_preview: failure.statement === undefined ? undefined : preview(failure.statement)
  })

export const rollbackResults = (revertedCount: number, failedCount: number) =>
  emit(
    failedCount === 0 ? LogLevel.Info : LogLevel.Error,
    "db_migration_rollback_results",
    `📊 Rollback results: ${revertedCount} reverted, ${failedCount} failed`,
    { reverted: revertedCount, failed: failedCount }
  )

export const markedApplied = (migration: Ref, previous: string) =>
  emit(
    LogLevel.Info,
    "db_migration_marked_applied",
    `✍️ Marked ${migration.id} (${migration.name}) as applied (was ${previous}); nothing was run`,
    { ...who(migration), previous }
  )

export const markedFailed = (migration: Ref, previous: string) =>
  emit(
    LogLevel.Info,
    "db_migration_marked_failed",
    `✍️ Marked ${migration.id} (${migration.name}) as failed (was ${previous}); the next up runs it again`,
    { ...who(migration), previous }
  )

export const journalRowRemoved = (migration: Ref, previous: string) =>
  emit(
    LogLevel.Info,
    "db_migration_reset",
    `✍️ Reset ${migration.id} (${migration.name}): removed its journal row (was ${previous}); it is pending again`,
    { ...who(migration), previous }
  )

export const unchanged = (migration: Ref, reason: string) =>
  emit(LogLevel.Info, "db_migration_unchanged", `ℹ️ Nothing changed: ${migration.id} ${reason}`, who(migration))

export const checksumRepaired = (migration: Ref, recorded: string | null, current: string) =>
  emit(
    LogLevel.Info,
    "db_migration_checksum_repaired",
    `🔧 Repaired ${migration.id} (${migration.name}): checksum ${recorded === null ? "(none)" : recorded.slice(0, 12)} → ${
      current.slice(0, 12)
    }`,
    { ...who(migration), recorded_checksum: recorded ?? undefined, current_checksum: current }
  )

export const missingFile = (migration: Ref) =>
  emit(
    LogLevel.Warning,
    "db_migration_file_missing",
    `⚠️ ${migration.id} (${migration.name}) is in the journal but has no file; \`effect-migrate reset ${migration.id}\` removes its row`,
    who(migration)
  )

export const repairResults = (repaired: number) =>
  emit(
    LogLevel.Info,
    "db_migration_repair_results",
    repaired === 0 ? "✅ Nothing to repair: every applied migration matches its file" : `📊 Repaired ${repaired} checksum${
      repaired === 1 ? "" : "s"
    }`,
    { repaired }
  )

const commandHint = (tag: string, code: string | undefined, message: string): string =>
  tag === "MigrationIrreversible"
    ? "add a down to the migration, or undo it by hand and `effect-migrate reset <id>`"
    : tag === "AdoptionRefused"
    ? "fix what the message names (in the other tool's history, or the migration files), then run adopt again"
    : tag === "MigrationFailed" || tag === "MigrationTimeout"
    ? "fix the down migration and run the command again; the failed one was rolled back and is still applied"
    : hintForAbort(tag, code, message)

export const commandFailed = (command: string, tag: string, failure: FailureDetail) =>
  emit(LogLevel.Error, "db_migration_command_failed", `❌ effect-migrate ${command} failed: ${failure.message}`, {
    command,
    error_tag: tag,
    ...detail({ ...failure, hint: failure.hint ?? commandHint(tag, failure.code, failure.message) })
  })
