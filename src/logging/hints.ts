/** The troubleshooting table: what an operator can do about a PostgreSQL error, by SQLSTATE. */
const hintsByCode: Record<string, string> = {
  "42P07": "relation already exists: make the migration idempotent with IF NOT EXISTS (or check whether it was applied by hand)",
  "42701": "column already exists: use ADD COLUMN IF NOT EXISTS",
  "42710": "object already exists: guard it with IF NOT EXISTS, or a DO block that checks the catalogue first",
  "42P06": "schema already exists: use CREATE SCHEMA IF NOT EXISTS",
  "42501": "permission denied: GRANT the migration role the privilege it needs, or run migrations as the owner of the objects",
  "42601": "syntax error: check the SQL near the position PostgreSQL reports",
  "42P01": "relation does not exist: check the order of migrations and DATABASE_SCHEMA",
  "42703": "column does not exist: check the order of migrations and the column name",
  "42883": "function does not exist: check the argument types, or create the function in an earlier migration",
  "57014": "statement timed out: optimise the migration (batch large updates, build indexes CONCURRENTLY) or raise MIGRATION_TIMEOUT",
  "55P03": "lock not available: another session holds a conflicting lock; retry off-peak or raise MIGRATION_LOCK_TIMEOUT",
  "40P01": "deadlock detected: another session touched the same objects; run the migration again",
  "23505": "unique violation: existing rows conflict with the new constraint; clean up the data first",
  "23502": "not-null violation: backfill existing rows, or add a DEFAULT, before adding NOT NULL",
  "23503": "foreign key violation: insert or keep the referenced rows first",
  "25001": "cannot run inside a transaction block: set `transaction: false` on this migration",
  "28P01": "authentication failed: check the user and password in DATABASE_URL",
  "28000": "authentication rejected: check pg_hba.conf and the user in DATABASE_URL",
  "3D000": "database does not exist: create it, or fix the database name in DATABASE_URL",
  "3F000": "schema does not exist: create it, or fix DATABASE_SCHEMA",
  "53300": "too many connections: lower the pool size of other clients or raise max_connections",
  "57P01": "the server is shutting down: run the migrations again when it is back",
  EBUSY: "the PGlite data directory is already open (the message names the process): close it first, or use another directory"
}

/** By SQLSTATE class (the first two characters), for codes the table does not name. */
const hintsByClass: Record<string, string> = {
  "08": "connection problem: check that the server is reachable, then run again",
  "22": "data exception: existing rows do not fit the change; fix the data or the conversion first",
  "23": "integrity constraint violation: existing rows conflict with the change; clean up the data first",
  "25": "invalid transaction state: set `transaction: false` on a migration that manages its own transactions",
  "40": "transaction rolled back by the server (serialization failure or deadlock): run the migrations again",
  "42": "syntax error or access rule violation: check names, types and privileges in the statement",
  "53": "the server is short of resources (disk, memory, connections): free some, then run again",
  "54": "a program limit was exceeded: split the statement or the migration",
  "55": "object not in the required state (locked or in use): retry off-peak",
  "57": "operator intervention cancelled the statement: run the migrations again"
}

/** The troubleshooting table's hint for a SQLSTATE, if it has one. */
export const hintForCode = (code: string | undefined): string | undefined =>
  code === undefined ? undefined : hintsByCode[code]

/** What to do about a failed migration: by SQLSTATE, then by its class, then the general advice. */
export const hintForFailure = (code: string | undefined): string =>
  hintForCode(code) ?? (code === undefined ? undefined : hintsByClass[code.slice(0, 2)]) ?? migrationFailedHint

export const migrationFailedHint =
  "fix the migration and run again: it was rolled back and recorded failed, so the next run retries it"

export const rlsStatementHint =
  "fix the statement in RLS_FILE and run again: every RLS statement runs again on each run, so keep them idempotent"

/** What to do when a run could not get going, by the tag of its error. */
export const hintForAbort = (tag: string, code: string | undefined, message = ""): string => {
  switch (tag) {
    case "ConfigError":
      return "fix the variable (or its flag) named in the message"
    case "DatabaseUnavailable":
      return hintForCode(code) ??
        "check DATABASE_URL and that the server is up and reachable; MIGRATION_CONNECT_TIMEOUT sets how long to retry"
    case "LockTimeout":
      return "another runner holds the migration lock: let it finish, or raise MIGRATION_LOCK_WAIT"
    case "MigrationLoadError":
      return message.startsWith("cannot read migrations directory")
        ? "point MIGRATIONS_DIR (--migrations-dir) at the directory of migrations; a relative path starts at the current directory"
        : "fix or remove the migration file named in the message; nothing was run"
    case "DuplicateMigrationId":
      return "give each migration its own id (a file's id is its name without the extension unless it states one); nothing was run"
    case "ChecksumMismatch":
      return "restore the applied migration files, or accept the edit with `effect-migrate repair`"
    case "StageTimeout":
      return "the database did not answer in time: check it for locks and load, then run again"
    case "MigrationNotFound":
      return "check the id with `effect-migrate status`"
    default:
      return hintForCode(code) ?? "check the database and the migration journal, then run again"
  }
}

export const timeoutHint = "optimise the migration (batch large updates, build indexes CONCURRENTLY) or raise MIGRATION_TIMEOUT"
