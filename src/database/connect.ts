import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { DatabaseUnavailable } from "../errors.js"
import * as Database from "./Database.js"
import { pgErrorInfo } from "./pgError.js"
import { openPglite } from "./pglite.js"
import { type DatabaseTarget, parseTarget, redactPassword } from "./target.js"

/** Errors worth waiting out: the server is starting, restarting, or not listening yet. */
const transientCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P03",
  "57P01",
  "53300"
])

const isTransient = (error: unknown): boolean => {
  const info = pgErrorInfo(error)
  return (info.code !== undefined && transientCodes.has(info.code)) || /timed out|timeout/i.test(info.message)
}

const unavailable = (settings: MigrationSettings, target: DatabaseTarget, error: unknown): DatabaseUnavailable => {
  const info = pgErrorInfo(error)
  const where = target.host === undefined
    ? target.display
    : `host ${target.host}, port ${target.port}, database ${target.database ?? "(default)"}`
  return new DatabaseUnavailable({
    target: target.display,
    code: info.code,
    message: redactPassword(
      Redacted.value(settings.databaseUrl),
      `cannot connect to PostgreSQL at ${where}: ${info.message}${info.hint === undefined ? "" : ` (hint: ${info.hint})`}`
    )
  })
}

const sslOption = (settings: MigrationSettings) =>
  settings.ssl === "true" ? { rejectUnauthorized: true } : settings.ssl === "no-verify" ? { rejectUnauthorized: false } : undefined

/**
 * A PostgreSQL client for the pipeline. Connection refused and "starting up" are retried with
 * backoff until MIGRATION_CONNECT_TIMEOUT; other failures (a wrong password) end at once.
 */
const postgresClient = (settings: MigrationSettings, target: DatabaseTarget) => {
  const perAttempt = Duration.millis(Math.max(1_000, Math.min(10_000, settings.connectTimeoutMs)))
  return PgClient.make({
    url: settings.databaseUrl,
    ssl: sslOption(settings),
    // One for the migration lock, one for the running migration, one for query cancellation.
    maxConnections: 4,
    connectTimeout: perAttempt,
    idleTimeout: Duration.seconds(30),
    applicationName: "effect-migrate"
  }).pipe(
    Effect.retry({
      while: isTransient,
      schedule: Schedule.exponential("100 millis", 1.6).pipe(
        Schedule.union(Schedule.spaced("2 seconds")),
        Schedule.upTo(Duration.millis(settings.connectTimeoutMs))
      )
    }),
    Effect.mapError((error) => unavailable(settings, target, error))
  )
}

const pgliteClient = (settings: MigrationSettings, target: DatabaseTarget) =>
  openPglite(target.dataDir ?? "memory").pipe(
    Effect.flatMap((pool) => PgClient.fromPool({ acquire: Effect.succeed(pool), applicationName: "effect-migrate" })),
    Effect.mapError((error) => unavailable(settings, target, error))
  )

/** The SqlClient and Database services for DATABASE_URL, released when the layer's scope closes. */
export const layer: Layer.Layer<
  SqlClient.SqlClient | PgClient.PgClient | Database.Database,
  DatabaseUnavailable,
  MigrationConfig
> = Layer.scopedContext(
  Effect.gen(function*() {
    const settings = yield* MigrationConfig
    const target = parseTarget(Redacted.value(settings.databaseUrl))
    const client = target.engine === "pglite"
      ? yield* pgliteClient(settings, target)
      : yield* postgresClient(settings, target)
    const database = yield* Database.make(target).pipe(Effect.provideService(SqlClient.SqlClient, client))
    return Context.make(PgClient.PgClient, client).pipe(
      Context.add(SqlClient.SqlClient, client),
      Context.add(Database.Database, database)
    )
  })
).pipe(Layer.provide(Reactivity.layer))
