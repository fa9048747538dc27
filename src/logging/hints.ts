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
  "57P01": "the server is shutting down: run the migrations again when it is back"
}

export const hintForCode = (code: string | undefined): string | undefined =>
  code === undefined ? undefined : hintsByCode[code]

export const timeoutHint = "optimise the migration (batch large updates, build indexes CONCURRENTLY) or raise MIGRATION_TIMEOUT"
