import type { Migration } from "../migration.js"
import { quoteIdentifier, quoteLiteral } from "../sql/quote.js"

/**
 * The journal's statements for migrations sent together in one message of several transactions
 * (src/execution/batch.ts). A message of several statements cannot carry parameters: alone in the journal, these
 * write values into the text, quoted by `quoteLiteral`.
 */

/** The setting each grouped migration's transaction starts with: the time it started (`now()` is the message's). */
export const startedSetting = "effect_migrate.started"

/** Names the column of the group's read-back, apart from any rows the migrations' own statements return. */
export const readBackColumn = "effect_migrate_applied_id"

const table = (schema: string, name: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`

const nullable = (value: string | undefined) => (value === undefined ? "NULL" : quoteLiteral(value))

/**
 * Records a grouped migration as applied, at the end of its transaction, with its own start and duration. A `failed`
 * row is replaced; an `applied` one makes the primary key fail the transaction (23505), as `recordApplied` refuses.
 */
export const groupRowSql = (schema: string, name: string, migration: Migration): string => {
  const started = `current_setting('${startedSetting}')::timestamptz`
  const duration = `(extract(epoch FROM clock_timestamp() - ${started}) * 1000)::integer`
  const id = quoteLiteral(migration.id)
  return `DELETE FROM ${table(schema, name)} WHERE id = ${id} AND status IS DISTINCT FROM 'applied';\n` +
    `INSERT INTO ${table(schema, name)} (id, name, description, applied_at, duration, status, checksum, error, "timestamp") ` +
    `VALUES (${id}, ${quoteLiteral(migration.name)}, ${nullable(migration.description)}, ${started}, ${duration}, 'applied', ` +
    `${nullable(migration.checksum)}, NULL, ${Number(migration.timestamp)})`
}

/** After the group's last COMMIT: its rows' durations, read only when every migration of it committed. */
export const groupReadBackSql = (schema: string, name: string, migrations: ReadonlyArray<Migration>): string =>
  `SELECT id AS ${readBackColumn}, duration FROM ${table(schema, name)} WHERE status = 'applied' AND id IN (${
    migrations.map((migration) => quoteLiteral(migration.id)).join(", ")
  })`
