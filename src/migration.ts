import type { SqlClient } from "@effect/sql/SqlClient"
import type { Effect } from "effect"

/** The client handed to a legacy `async (db) => boolean` migration; queries run inside its transaction. */
export interface LegacyDb {
  readonly query: (text: string, params?: ReadonlyArray<unknown>) => Promise<{ readonly rows: ReadonlyArray<Record<string, unknown>> }>
}

export type LegacyMigrationFunction = (db: LegacyDb) => Promise<boolean> | boolean

/** What a migration does: SQL text, an Effect using `SqlClient`, or a legacy async function. */
export type MigrationBody =
  | { readonly _tag: "Sql"; readonly sql: string }
  | { readonly _tag: "Effect"; readonly effect: Effect.Effect<unknown, unknown, SqlClient> }
  | { readonly _tag: "Legacy"; readonly run: LegacyMigrationFunction }

/** A registered migration, as the pipeline sees it. */
export interface Migration {
  readonly id: string
  readonly name: string
  readonly description: string | undefined
  /** Orders migrations: the leading number of a file name, e.g. 20240102000000. */
  readonly timestamp: number
  readonly up: MigrationBody
  readonly down: MigrationBody | undefined
  /** `false` runs the body outside a transaction (e.g. `CREATE INDEX CONCURRENTLY`). */
  readonly transaction: boolean
  /** Per-migration timeout in ms; the configured MIGRATION_TIMEOUT when absent. */
  readonly timeoutMs: number | undefined
  /** sha256 of the file (line endings normalised); undefined for migrations given as code. */
  readonly checksum: string | undefined
  /** Where it came from: a file path, or `code` for migrations registered in an array. */
  readonly source: string
}

export type MigrationStep = string | Effect.Effect<unknown, unknown, SqlClient> | LegacyMigrationFunction

/** What a module's default export (or an array entry) states. */
export interface MigrationDefinition {
  /** Required in code; a module file's name (without extension) stands in when omitted. */
  readonly id?: string | undefined
  readonly name?: string | undefined
  readonly description?: string | undefined
  /** Required in code; the leading number of a module file's name stands in when omitted. */
  readonly timestamp?: number | string | undefined
  readonly up: MigrationStep
  readonly down?: MigrationStep | undefined
  readonly transaction?: boolean | undefined
  readonly timeout?: number | undefined
}

export const MigrationDefinitionTypeId: unique symbol = Symbol.for("effect-migrate/MigrationDefinition")

export interface MigrationDefinitionValue extends MigrationDefinition {
  readonly [MigrationDefinitionTypeId]: true
}

/**
 * Declares a migration. `up`/`down` are SQL text, Effects that may use `SqlClient`,
 * or `async (db) => boolean` functions.
 */
export const make = (definition: MigrationDefinition): MigrationDefinitionValue => ({
  ...definition,
  [MigrationDefinitionTypeId]: true
})

/** A plain object counts as a definition when it has an `up`; a file name can supply its id and timestamp. */
export const isDefinition = (value: unknown): value is MigrationDefinition =>
  typeof value === "object" && value !== null && "up" in value

export const isEffectLike = (value: unknown): value is Effect.Effect<unknown, unknown, SqlClient> =>
  typeof value === "object" && value !== null && Symbol.for("effect/Effect") in value

export const bodyFromStep = (step: MigrationStep): MigrationBody =>
  typeof step === "string"
    ? { _tag: "Sql", sql: step }
    : isEffectLike(step)
    ? { _tag: "Effect", effect: step }
    : { _tag: "Legacy", run: step }

/** The order the pipeline applies migrations in: timestamp, then id. */
export const compare = (a: Pick<Migration, "id" | "timestamp">, b: Pick<Migration, "id" | "timestamp">): number =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
