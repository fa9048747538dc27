import type { RlsCoverageIncomplete, RlsFileMissing, RlsStatementFailed, RunFailure } from "./errors.js"
import type { RunError } from "./journal/Journal.js"

export interface MigrationRef {
  readonly id: string
  readonly name: string
}

export interface AppliedMigration extends MigrationRef {
  readonly durationMs: number
}

export interface FailedMigration extends MigrationRef {
  readonly durationMs: number
  readonly error: RunError
}

export interface RlsOutcome {
  readonly file: string
  readonly statements: number
  readonly succeeded: number
  readonly failed: number
  readonly durationMs: number
  readonly failures: ReadonlyArray<RlsStatementFailed>
  /** Tables with `user_id`/`organization_id` and no row level security. */
  readonly unprotectedTables: ReadonlyArray<string>
  readonly tenantTables: number
  readonly error: RlsFileMissing | RlsCoverageIncomplete | undefined
}

/** What a run did. `failure` is the first thing that went wrong, if anything did. */
export interface MigrationReport {
  readonly registered: number
  readonly applied: ReadonlyArray<AppliedMigration>
  readonly skipped: ReadonlyArray<MigrationRef>
  readonly failed: ReadonlyArray<FailedMigration>
  /** undefined when the RLS stage did not run (`--no-rls`, dry run, or no RLS file configured). */
  readonly rls: RlsOutcome | undefined
  readonly durationMs: number
  readonly success: boolean
  readonly failure: RunFailure | undefined
}
