import { Schema } from "effect"

/** A configuration variable (or its CLI flag) has a value the tool cannot use. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  variable: Schema.String,
  message: Schema.String
}) {}

/** The server could not be reached, or refused the credentials, within MIGRATION_CONNECT_TIMEOUT. */
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()("DatabaseUnavailable", {
  target: Schema.String,
  message: Schema.String,
  code: Schema.optional(Schema.String)
}) {}

/** Another runner held the migration lock for longer than MIGRATION_LOCK_WAIT. */
export class LockTimeout extends Schema.TaggedError<LockTimeout>()("LockTimeout", {
  waitedMs: Schema.Number,
  holder: Schema.optional(Schema.String),
  message: Schema.String
}) {}

/**
 * The migration lock went during the run (its connection closed, the server ended it): the running migration was
 * interrupted and rolled back, and the run stopped, since another runner may now be migrating.
 */
export class LockLost extends Schema.TaggedError<LockLost>()("LockLost", {
  message: Schema.String,
  code: Schema.optional(Schema.String)
}) {}

/** A migration file could not be read, imported or understood. */
export class MigrationLoadError extends Schema.TaggedError<MigrationLoadError>()("MigrationLoadError", {
  file: Schema.String,
  message: Schema.String
}) {}

/** Two registered migrations share one id. */
export class DuplicateMigrationId extends Schema.TaggedError<DuplicateMigrationId>()("DuplicateMigrationId", {
  id: Schema.String,
  sources: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** A statement of the tool itself (journal, lock, catalogue) failed. */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  operation: Schema.String,
  message: Schema.String,
  code: Schema.optional(Schema.String)
}) {}

/** A migration's `up` (or `down`) failed; its transaction was rolled back. */
export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  id: Schema.String,
  name: Schema.String,
  message: Schema.String,
  code: Schema.optional(Schema.String),
  hint: Schema.optional(Schema.String),
  statement: Schema.optional(Schema.String),
  durationMs: Schema.Number
}) {}

/** A migration ran longer than its timeout; the query was cancelled and rolled back. */
export class MigrationTimeout extends Schema.TaggedError<MigrationTimeout>()("MigrationTimeout", {
  id: Schema.String,
  name: Schema.String,
  timeoutMs: Schema.Number,
  message: Schema.String,
  /** 57014 (query_canceled). */
  code: Schema.optional(Schema.String),
  hint: Schema.String,
  /** The statement that ran out of time, when it can be told. */
  statement: Schema.optional(Schema.String),
  durationMs: Schema.Number
}) {}

/**
 * A `transaction: false` migration was started by an earlier run that never finished it (killed, or its connection
 * lost): its statements may have partly run, so it is not run again until an operator says what state it is in.
 */
export class MigrationInterrupted extends Schema.TaggedError<MigrationInterrupted>()("MigrationInterrupted", {
  id: Schema.String,
  name: Schema.String,
  /** When the earlier run started it. */
  startedAt: Schema.optional(Schema.String),
  message: Schema.String,
  code: Schema.optional(Schema.String),
  hint: Schema.String,
  statement: Schema.optional(Schema.String),
  durationMs: Schema.Number
}) {}

/** An applied migration's file no longer matches the checksum recorded when it was applied. */
export class ChecksumMismatch extends Schema.TaggedError<ChecksumMismatch>()("ChecksumMismatch", {
  ids: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** The RLS file does not exist. */
export class RlsFileMissing extends Schema.TaggedError<RlsFileMissing>()("RlsFileMissing", {
  file: Schema.String,
  message: Schema.String
}) {}

/** One or more statements of the RLS file failed. */
export class RlsStatementFailed extends Schema.TaggedError<RlsStatementFailed>()("RlsStatementFailed", {
  index: Schema.Number,
  total: Schema.Number,
  failed: Schema.Number,
  message: Schema.String,
  code: Schema.optional(Schema.String),
  hint: Schema.optional(Schema.String),
  statement: Schema.String
}) {}

/** Tables with tenant columns are left without row level security (strict mode only). */
export class RlsCoverageIncomplete extends Schema.TaggedError<RlsCoverageIncomplete>()("RlsCoverageIncomplete", {
  tables: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** A whole stage of the pipeline exceeded its time budget. */
export class StageTimeout extends Schema.TaggedError<StageTimeout>()("StageTimeout", {
  stage: Schema.String,
  timeoutMs: Schema.Number,
  message: Schema.String
}) {}

/** An operator command named a migration that is not known, or cannot act on it. */
export class MigrationNotFound extends Schema.TaggedError<MigrationNotFound>()("MigrationNotFound", {
  id: Schema.String,
  message: Schema.String
}) {}

/** A rollback was asked of a migration that has no `down`. */
export class MigrationIrreversible extends Schema.TaggedError<MigrationIrreversible>()("MigrationIrreversible", {
  id: Schema.String,
  message: Schema.String
}) {}

export type InitError =
  | ConfigError
  | DatabaseUnavailable
  | DatabaseError
  | LockTimeout
  | LockLost
  | MigrationLoadError
  | DuplicateMigrationId
  | ChecksumMismatch
  | StageTimeout

/** The failure a run ends with when a migration or RLS statement failed. */
export type RunFailure = MigrationFailed | MigrationTimeout | MigrationInterrupted | RlsStatementFailed | RlsFileMissing | RlsCoverageIncomplete

export type MigrationError = InitError | RunFailure | MigrationNotFound | MigrationIrreversible
