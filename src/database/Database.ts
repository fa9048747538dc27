import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { DatabaseError } from "../errors.js"
import { quoteLiteral } from "../sql/quote.js"
import { type PgErrorInfo, pgErrorInfo } from "./pgError.js"
import type { DatabaseTarget } from "./target.js"

/** A table that holds per-tenant rows (`user_id` / `organization_id`) and whether RLS guards it. */
export interface TenantTable {
  readonly table: string
  readonly columns: ReadonlyArray<string>
  readonly rlsEnabled: boolean
}

export interface DatabaseService {
  readonly target: DatabaseTarget
  /** Runs one statement on its own (autocommit), under a server-side statement timeout where the engine has one. */
  readonly executeStatement: (statement: string, timeoutMs: number) => Effect.Effect<void, PgErrorInfo>
  /** Tables of the schema with tenant columns, and their RLS flag. */
  readonly tenantTables: (schema: string) => Effect.Effect<ReadonlyArray<TenantTable>, DatabaseError>
}

/** The database the pipeline runs against, apart from the journal table (see Journal). */
export class Database extends Context.Tag("effect-migrate/Database")<Database, DatabaseService>() {}

export const tenantColumns = ["user_id", "organization_id"] as const

export const make = (target: DatabaseTarget): Effect.Effect<DatabaseService, never, SqlClient.SqlClient> =>
  Effect.map(SqlClient.SqlClient, (sql) => ({
    target,
    executeStatement: (statement, timeoutMs) =>
      (target.engine === "postgres"
        // Setting and statement travel in one round trip, as one implicit transaction.
        ? sql.unsafe(`SET LOCAL statement_timeout = ${Math.max(0, Math.round(timeoutMs))};\n${statement}`)
        : sql.unsafe(statement)).pipe(
          Effect.asVoid,
          Effect.mapError(pgErrorInfo)
        ),
    tenantTables: (schema) =>
      sql.unsafe<{ table_name: string; columns: ReadonlyArray<string> | string; rls: boolean }>(
        `SELECT c.relname AS table_name, array_agg(a.attname::text ORDER BY a.attname) AS columns, c.relrowsecurity AS rls
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind IN ('r', 'p')
            AND a.attname IN (${tenantColumns.map(quoteLiteral).join(", ")})
          GROUP BY c.relname, c.relrowsecurity
          ORDER BY c.relname`
      ).pipe(
        Effect.map((rows) =>
          rows.map((row) => ({
            table: row.table_name,
            columns: Array.isArray(row.columns) ? row.columns : String(row.columns).replace(/^\{|\}$/g, "").split(","),
            rlsEnabled: row.rls
          }))
        ),
        Effect.mapError((error) => {
          const info = pgErrorInfo(error)
          return new DatabaseError({ operation: "read RLS coverage", message: info.message, code: info.code })
        })
      )
  }))

export const layer = (target: DatabaseTarget): Layer.Layer<Database, never, SqlClient.SqlClient> =>
  Layer.effect(Database, make(target))
