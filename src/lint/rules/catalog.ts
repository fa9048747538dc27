import type { Blocks, Duration, Level } from "../finding.js"

export interface RuleInfo {
  readonly level: Level
  readonly blocks: Blocks
  readonly duration: Duration
  readonly safe: string
}

/** Every rule id, with what it blocks, for how long, and the safe rewrite (docs/lint.md has a section per id). */
export const catalog = {
  "index-without-concurrently": {
    level: "error",
    blocks: "writes",
    duration: "scan",
    safe: "CREATE INDEX CONCURRENTLY, in a migration of its own with -- transaction: false"
  },
  "drop-index-without-concurrently": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "DROP INDEX CONCURRENTLY, in a migration of its own with -- transaction: false"
  },
  "concurrently-in-transaction": {
    level: "error",
    blocks: "none",
    duration: "fails",
    safe: "move the statement into a migration of its own with -- transaction: false"
  },
  "foreign-key-without-not-valid": {
    level: "error",
    blocks: "writes",
    duration: "scan",
    safe: "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration"
  },
  "check-without-not-valid": {
    level: "error",
    blocks: "both",
    duration: "scan",
    safe: "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later migration"
  },
  "unique-constraint-without-index": {
    level: "error",
    blocks: "both",
    duration: "scan",
    safe: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX)"
  },
  "set-not-null-without-check": {
    level: "error",
    blocks: "both",
    duration: "scan",
    safe: "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c; then SET NOT NULL (no scan)"
  },
  "add-column-required-without-default": {
    level: "error",
    blocks: "none",
    duration: "fails",
    safe: "add the column nullable (or with a constant DEFAULT), backfill, then SET NOT NULL through a validated CHECK"
  },
  "column-type-rewrite": {
    level: "error",
    blocks: "both",
    duration: "rewrite",
    safe: "add a new column, backfill it in batches, switch the app over, then drop the old one " +
      "(widening varchar, or varchar to text, needs no rewrite)"
  },
  "add-column-volatile-default": {
    level: "error",
    blocks: "both",
    duration: "rewrite",
    safe: "add the column without a default (or with a constant one), SET DEFAULT for new rows, backfill in batches"
  },
  "drop-column": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "stop the app reading the column and deploy first, then drop it in a later migration (disable with a reason)"
  },
  "drop-table": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "stop the app using the table and deploy first, then drop it in a later migration (disable with a reason)"
  },
  "rename-column": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "add the new column, write both, backfill, move reads, then drop the old one"
  },
  "rename-table": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "create the new table (or a view under the old name), move the app over, then drop the old one"
  },
  "enum-value-used-in-transaction": {
    level: "error",
    blocks: "none",
    duration: "fails",
    safe: "ALTER TYPE ... ADD VALUE in a migration of its own; use the value in a later migration"
  },
  "vacuum-full": {
    level: "error",
    blocks: "both",
    duration: "rewrite",
    safe: "plain VACUUM, or pg_repack / pg_squeeze outside migrations"
  },
  "cluster": {
    level: "error",
    blocks: "both",
    duration: "rewrite",
    safe: "pg_repack --order-by outside migrations"
  },
  "lock-table": {
    level: "error",
    blocks: "both",
    duration: "instant",
    safe: "let each statement take the lock it needs; if you must, lock in the mode it needs, under lock_timeout"
  },
  "reindex-without-concurrently": {
    level: "error",
    blocks: "writes",
    duration: "scan",
    safe: "REINDEX ... CONCURRENTLY, in a migration with -- transaction: false"
  },
  "refresh-without-concurrently": {
    level: "warning",
    blocks: "reads",
    duration: "scan",
    safe: "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view), with -- transaction: false"
  },
  "data-backfill": {
    level: "error",
    blocks: "writes",
    duration: "scan",
    safe: "backfill in batches (UPDATE ... WHERE id BETWEEN ...) from a data migration with -- transaction: false, " +
      "or a job outside migrations"
  },
  "not-linted": {
    level: "warning",
    blocks: "none",
    duration: "instant",
    safe: "write the SQL as a literal (sql`...` without ${}), or as a .sql migration, so that it can be checked"
  },
  "parse-error": {
    level: "error",
    blocks: "none",
    duration: "fails",
    safe: "fix the syntax: PostgreSQL would refuse the statement"
  },
  "disable-without-reason": {
    level: "warning",
    blocks: "none",
    duration: "instant",
    safe: "say why after the rule ids: -- lint-disable: drop-column the app stopped reading it in v42"
  }
} as const satisfies Record<string, RuleInfo>

export type RuleId = keyof typeof catalog

export const ruleIds = Object.keys(catalog) as ReadonlyArray<RuleId>

export const isRuleId = (id: string): id is RuleId => Object.hasOwn(catalog, id)
