import { Effect, LogLevel } from "effect"
import type { Migration } from "../migration.js"
import { hintForAbort, hintForFailure, rlsStatementHint } from "./hints.js"

type Fields = Record<string, string | number | boolean | ReadonlyArray<string> | undefined>

/** The event and its defined fields, as log annotations. */
const annotations = (event: string, fields: Fields): Record<string, unknown> => {
  const record: Record<string, unknown> = { event }
  for (const key in fields) {
    if (fields[key] !== undefined) record[key] = fields[key]
  }
  return record
}

/** Logs one event: its message for the text format, and `event` plus fields for JSON lines. */
export const emit = (level: LogLevel.LogLevel, event: string, message: string, fields: Fields = {}): Effect.Effect<void> =>
  Effect.logWithLevel(level, message).pipe(Effect.annotateLogs(annotations(event, fields)))

const info = (event: string, message: string, fields?: Fields) => emit(LogLevel.Info, event, message, fields)
const warn = (event: string, message: string, fields?: Fields) => emit(LogLevel.Warning, event, message, fields)
const error = (event: string, message: string, fields?: Fields) => emit(LogLevel.Error, event, message, fields)

/** The migration fields every event about one migration carries. */
export const who = (migration: Pick<Migration, "id" | "name">) => ({ migration_id: migration.id, migration_name: migration.name })

export interface FailureDetail {
  readonly message: string
  readonly code?: string | undefined
  readonly hint?: string | undefined
  /** The failing statement of a migration, when known. */
  readonly statement?: string | undefined
}

/** Every failure event carries what went wrong and what to do about it. */
const detail = (failure: FailureDetail, fallbackHint: string) => ({
  error: failure.message,
  code: failure.code,
  hint: failure.hint ?? fallbackHint
})

export const started = info("db_migration_started", "🔄 Database migration process started")

export const initializing = info("db_migration_initializing", "⚙️ Initializing migration system")

export const initialized = (durationMs: number, registered: number) =>
  info(
    "db_migration_initialized",
    `✅ Migration system initialized in ${durationMs}ms with ${registered} registered migrations`,
    { duration_ms: durationMs, registered }
  )

export const noMigrations = (directory: string) =>
  warn(
    "db_migration_none_found",
    `⚠️ No migrations found in ${directory}: check MIGRATIONS_DIR (--migrations-dir); files are named <timestamp>_<slug>.sql|.ts|.js`,
    { directory }
  )

export const runningPending = (pending: number) =>
  info("db_migration_pending", "⏳ Running pending migrations...", { pending })

export const applied = (migration: Pick<Migration, "id" | "name">, durationMs: number) =>
  info("db_migration_applied", `✅ Migration ${migration.name}: APPLIED (${durationMs}ms)`, {
    ...who(migration),
    duration_ms: durationMs
  })

/** The `applied` events of a group of migrations, in order, as one effect. */
export const appliedEach = (
  group: ReadonlyArray<{ readonly migration: Pick<Migration, "id" | "name">; readonly durationMs: number }>
): Effect.Effect<void> => Effect.forEach(group, ({ durationMs, migration }) => applied(migration, durationMs), { discard: true })

export const failed = (migration: Pick<Migration, "id" | "name">, durationMs: number, failure: FailureDetail) =>
  error("db_migration_failed", `❌ Migration ${migration.name}: FAILED (${durationMs}ms)`, {
    ...who(migration),
    duration_ms: durationMs,
    ...detail(failure, hintForFailure(failure.code)),
    statement_preview: failure.statement === undefined ? undefined : preview(failure.statement)
  })

export const results = (applied: number, skipped: number, failedCount: number) =>
  info("db_migration_results", `📊 Migration results: ${applied} applied, ${skipped} skipped, ${failedCount} failed`, {
    applied,
    skipped,
    failed: failedCount
  })

export const outOfOrder = (migration: Migration, newestApplied: string) =>
  warn(
    "db_migration_out_of_order",
    `⚠️ Migration ${migration.name} is older than the newest applied migration (${newestApplied}); applying it anyway`,
    { ...who(migration), newest_applied: newestApplied }
  )

export const checksumMismatch = (migration: Migration, recorded: string, current: string) =>
  warn(
    "db_migration_checksum_mismatch",
    `⚠️ Migration ${migration.name} (${migration.id}) changed since it was applied: checksum ${
      recorded.slice(0, 12)
    } recorded, ${current.slice(0, 12)} on disk`,
    { ...who(migration), recorded_checksum: recorded, current_checksum: current }
  )

export const lockWaiting = (waitedMs: number, holder: string | undefined) =>
  info(
    "db_migration_lock_waiting",
    `⏳ Waiting for the migration lock (${Math.round(waitedMs / 1000)}s)${holder ? `, held by ${holder}` : ""}`,
    { waited_ms: waitedMs, holder }
  )

export const lockRetry = (migration: Migration, attempt: number, of: number, delayMs: number) =>
  warn(
    "db_migration_lock_retry",
    `⏳ Migration ${migration.name} could not get a table lock in time; retry ${attempt}/${of} in ${delayMs}ms`,
    { ...who(migration), attempt, retries: of, delay_ms: delayMs }
  )

/** DATABASE_URL unset: said before anything else, with the default URL tried (its password masked). */
export const databaseUrlUnset = (masked: string) =>
  warn(
    "db_database_url_unset",
    `⚠️ DATABASE_URL is not set: trying the default ${masked} (set DATABASE_URL or --database-url)`,
    { target: masked }
  )

export const connectRetry = (target: string, attempt: number, reason: string, delayMs: number, leftMs: number) =>
  info(
    "db_connect_retry",
    `⏳ Cannot reach ${target} yet (attempt ${attempt}: ${reason}); retrying in ${delayMs}ms, ${
      Math.max(0, Math.round(leftMs / 1000))
    }s left of MIGRATION_CONNECT_TIMEOUT`,
    { target, attempt, error: reason, delay_ms: delayMs, left_ms: Math.max(0, leftMs) }
  )

export const pgliteMemoryDiscarded = info(
  "db_pglite_memory_discarded",
  "🗑️ pglite:memory: the in-memory database is gone with its data now that the run ends; use pglite:<dir> to keep it"
)

export const engineLimits = (notes: string) =>
  info("db_migration_engine_limits", `ℹ️ ${notes}`)

export const rlsStarted = info("db_rls_started", "🔒 Running Row Level Security (RLS) migration")

export const rlsFileFound = (file: string) => info("db_rls_file_found", "📄 Found RLS migration SQL file", { file })

export const rlsFileMissing = (file: string) =>
  error("db_rls_file_missing", `❌ RLS migration SQL file not found: ${file}`, {
    file,
    error: `no such file: ${file}`,
    hint: "create the file, or point RLS_FILE (--rls-file) at it; --no-rls skips the stage"
  })

/** The default RLS_FILE is absent: a new app without RLS policies, not an error. */
export const rlsSkippedNoFile = (file: string) =>
  info(
    "db_rls_skipped",
    `ℹ️ No RLS file at ${file} (the default RLS_FILE): skipping the RLS stage; set RLS_FILE to run one`,
    { file }
  )

export const rlsExecuting = (count: number) =>
  info("db_rls_executing", `📝 Executing ${count} RLS SQL statements`, { statements: count })

export const rlsStatementFailed = (index: number, total: number, statement: string, failure: FailureDetail) =>
  error("db_rls_statement_failed", `❌ Error executing SQL statement ${index}/${total}`, {
    statement_index: index,
    statements: total,
    statement_preview: preview(statement),
    ...detail(failure, failure.code === undefined ? rlsStatementHint : hintForFailure(failure.code))
  })

/** RLS coverage (tenant tables with row level security) travels in the JSON fields; the text line stays as documented. */
export const rlsCompleted = (
  durationMs: number,
  succeeded: number,
  failedCount: number,
  coverage: { readonly tenantTables: number; readonly protectedTables: number }
) => {
  const fields = {
    duration_ms: durationMs,
    succeeded,
    failed: failedCount,
    tenant_tables: coverage.tenantTables,
    protected_tables: coverage.protectedTables
  }
  return failedCount === 0
    ? info("db_rls_completed", `✅ RLS migration completed in ${durationMs}ms (${succeeded} succeeded, ${failedCount} failed)`, fields)
    : error("db_rls_completed", `❌ RLS migration completed in ${durationMs}ms (${succeeded} succeeded, ${failedCount} failed)`, fields)
}

/** Only when some tenant table is unprotected, so a fully covered run keeps the documented lines. */
export const rlsCoverage = (protectedCount: number, total: number) =>
  warn("db_rls_coverage", `🔒 RLS coverage: ${protectedCount}/${total} tenant tables protected`, {
    protected_tables: protectedCount,
    tenant_tables: total
  })

export const rlsTableUnprotected = (table: string, columns: ReadonlyArray<string>) =>
  warn("db_rls_table_unprotected", `⚠️ Table ${table} has ${columns.join(", ")} but no row level security`, {
    table,
    columns
  })

export const completed = (durationMs: number, appliedCount: number) =>
  info("db_migration_completed", `✅ Database migration completed successfully in ${durationMs}ms`, {
    duration_ms: durationMs,
    applied: appliedCount,
    status: "success"
  })

/** `rlsProblems` names what went wrong in the RLS stage, e.g. `1 RLS statement failed`; appended to the line. */
export const completedWithErrors = (
  durationMs: number,
  appliedCount: number,
  failedCount: number,
  rlsProblems: ReadonlyArray<string> = []
) =>
  error(
    "db_migration_completed",
    `❌ Migration process completed with errors: ${appliedCount} applied, ${failedCount} failed${
      rlsProblems.map((problem) => `, ${problem}`).join("")
    }`,
    {
      duration_ms: durationMs,
      applied: appliedCount,
      failed: failedCount,
      rls_problems: rlsProblems.length === 0 ? undefined : rlsProblems,
      status: "failed"
    }
  )

export const failedMigration = (migration: Pick<Migration, "id" | "name">) =>
  error("db_migration_failed_summary", `❌ Failed migration: ${migration.name}`, who(migration))

export const aborted = (tag: string, failure: FailureDetail) =>
  error("db_migration_aborted", `❌ Database migration aborted: ${failure.message}`, {
    error_tag: tag,
    ...detail(failure, hintForAbort(tag, failure.code, failure.message))
  })

export const autoRunDisabled = info(
  "db_migration_auto_run_disabled",
  "⏭️ MIGRATION_AUTO_RUN is false: skipping database migrations"
)

/** A statement on one line, cut at 160 characters, for log fields. */
export const preview = (statement: string): string => {
  const oneLine = statement.replace(/\s+/g, " ").trim()
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine
}

export const fileIgnored = (directory: string, name: string) =>
  warn(
    "db_migration_file_ignored",
    `⚠️ ${name} in ${directory} is not a migration and was not loaded: migrations are named ` +
      "<timestamp>_<slug>.sql|.ts|.js (prefix a file with _ to set it aside)",
    { directory, file: name }
  )
