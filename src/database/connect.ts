import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import * as ScheduleDecision from "effect/ScheduleDecision"
import { readFileSync } from "node:fs"
import type { ConnectionOptions } from "node:tls"
import Pg from "pg"
import { MigrationConfig, type MigrationSettings } from "../config.js"
import { ConfigError, DatabaseUnavailable } from "../errors.js"
import * as Events from "../logging/events.js"
import { hintForCode } from "../logging/hints.js"
import * as Database from "./Database.js"
import { pgErrorInfo } from "./pgError.js"
import { memory, pgliteClient } from "./pglite.js"
import { ConnectionFacts, poolerHint } from "./pooler.js"
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
  const hint = poolerHint(info.message) ?? info.hint
  const where = target.host === undefined
    ? target.display
    : `host ${target.host}, port ${target.port}, database ${target.database ?? "(default)"}`
  return new DatabaseUnavailable({
    target: target.display,
    code: info.code,
    message: redactPassword(
      Redacted.value(settings.databaseUrl),
      // The hint of a code in our table is printed on the failure's own hint line: said once, not in the message too.
      `cannot connect to PostgreSQL at ${where}: ${info.message}${
        hint === undefined || hint === hintForCode(info.code) ? "" : ` (hint: ${hint})`
      }`
    )
  })
}

/** Query parameters of DATABASE_URL that pg would turn into TLS options, overriding ours. */
const tlsParameters = ["ssl", "sslmode", "sslcert", "sslkey", "sslrootcert", "uselibpqcompat"] as const

/**
 * TLS from DATABASE_SSL, else from the URL's `sslmode` (libpq meanings: `require` encrypts without verifying,
 * `verify-ca`/`verify-full` verify). `sslrootcert`, `sslcert` and `sslkey` in the URL name PEM files.
 */
export const tlsOptions = (
  ssl: MigrationSettings["ssl"],
  parameters: URLSearchParams,
  readPem: (file: string) => string
): ConnectionOptions | false => {
  const sslmode = parameters.get("sslmode")?.toLowerCase()
  const fromUrl = sslmode === "verify-ca" || sslmode === "verify-full" || ["true", "1"].includes(parameters.get("ssl") ?? "")
    ? "true"
    : sslmode === "require" || sslmode === "prefer" || sslmode === "allow"
    ? "no-verify"
    : "false"
  const mode = ssl === "false" ? fromUrl : ssl
  if (mode === "false") return false
  const file = (name: string) => {
    const value = parameters.get(name)
    return value === null || value === "" ? undefined : readPem(value)
  }
  const ca = file("sslrootcert")
  const cert = file("sslcert")
  const key = file("sslkey")
  return {
    rejectUnauthorized: mode === "true",
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key })
  }
}

/** How often the server checks that a client running a long statement is still there (PostgreSQL 14+). */
const clientCheckIntervalMs = 500

/**
 * The pg pool config: the URL without its TLS parameters, and TLS set explicitly, so that `sslmode` in the
 * URL cannot silently override DATABASE_SSL. `checkClient` adds our PostgreSQL 14+ session settings as the
 * `options` startup parameter (so that RESET ALL keeps them). Each attempt waits at most `attemptMs`.
 */
const poolConfig = (settings: MigrationSettings) =>
  Effect.try({
    try: () => {
      const url = new URL(Redacted.value(settings.databaseUrl))
      const ssl = tlsOptions(settings.ssl, url.searchParams, (file) => readFileSync(file, "utf8"))
      for (const name of tlsParameters) url.searchParams.delete(name)
      return (checkClient: boolean, attemptMs: number): Pg.PoolConfig => {
        const withOptions = new URL(url)
        if (checkClient) {
          const given = withOptions.searchParams.get("options")
          // idle_session_timeout (set by some managed servers) would end the idle lock connection, and the lock with it.
          const ours = `-c client_connection_check_interval=${clientCheckIntervalMs} -c idle_session_timeout=0`
          withOptions.searchParams.set("options", given === null || given === "" ? ours : `${given} ${ours}`)
        }
        return {
          connectionString: withOptions.toString(),
          ssl,
          // One for the migration lock, one for the running migration, one for query cancellation.
          max: 4,
          connectionTimeoutMillis: attemptMs,
          idleTimeoutMillis: 30_000,
          application_name: "effect-migrate"
        }
      }
    },
    catch: (cause) => cause
  })

/** Our `options` refused: by a server older than 14 (42704), or by a pooler that does not know the parameter. */
const optionsRefused = (error: unknown, userOptions: boolean) => {
  const info = pgErrorInfo(error)
  return info.code === "42704" || (!userOptions && /unsupported startup parameter:?\s*options/i.test(info.message))
}

/** Connections opened together at start: the migration lock's and the one for the journal and migrations. */
const warmConnections = 2

/** Whether the backend answering is the one named by the key the server sent at startup (not so behind a pooler). */
const behindPooler = async (client: Pg.PoolClient): Promise<boolean> => {
  const processId = (client as unknown as { processID?: number }).processID
  const result = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")
  return processId !== undefined && result.rows[0]?.pid !== processId
}

/**
 * Opens the pool with its first connections, made at the same time (the server forks a backend for each, and
 * a run needs two: the lock's and the queries'); ended when the scope closes. Connecting checks the server:
 * our startup options are refused by a server that cannot honour them, or by PgBouncer's stock settings: only
 * then is the pool opened again without them.
 * If this process dies mid-migration, client_connection_check_interval (PostgreSQL 14+) makes the server
 * notice within the interval and roll back, instead of finishing (and committing) an orphaned migration.
 */
const openPool = (config: (checkClient: boolean) => Pg.PoolConfig, userOptions: boolean) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const connect = async (checkClient: boolean) => {
          const pool = new Pg.Pool(config(checkClient))
          pool.on("error", () => {})
          const clients = await Promise.allSettled(Array.from({ length: warmConnections }, () => pool.connect()))
          const failed = clients.find((client) => client.status === "rejected")
          const first = clients[0]
          const pooled = failed === undefined && first?.status === "fulfilled" ? await behindPooler(first.value).catch(() => false) : false
          // Released, not ended: they stay in the pool for the lock and the queries that follow.
          for (const client of clients) if (client.status === "fulfilled") client.value.release()
          if (failed === undefined) return { pool, pooled }
          await pool.end().catch(() => {})
          throw failed.reason
        }
        try {
          return await connect(true)
        } catch (error) {
          if (!optionsRefused(error, userOptions)) throw error
          return await connect(false)
        }
      },
      catch: (cause) => cause
    }),
    // Not awaited, as libpq's PQfinish does not wait: the Terminate message is sent at once, and the server's own
    // clean-up (a few ms per backend) need not hold up the app's start or the CLI's exit. The lock is released before.
    ({ pool }) => Effect.sync(() => void pool.end().catch(() => {}))
  )

const userOptions = (settings: MigrationSettings) => {
  try {
    return new URL(Redacted.value(settings.databaseUrl)).searchParams.has("options")
  } catch {
    return false
  }
}

const attemptTimeoutMs = (settings: MigrationSettings) => Math.max(1_000, Math.min(10_000, settings.connectTimeoutMs))

/**
 * Backoff for an unreachable server until MIGRATION_CONNECT_TIMEOUT, with one line per retry: the attempt that
 * failed, the wait before the next, and the time left.
 */
const retrySchedule = (
  settings: MigrationSettings,
  target: DatabaseTarget,
  startedAt: number,
  lastError: () => unknown,
  deadline: number
) => {
  let attempt = 0
  return Schedule.exponential("100 millis", 1.6).pipe(
    Schedule.union(Schedule.spaced("2 seconds")),
    Schedule.upTo(Duration.millis(settings.connectTimeoutMs)),
    Schedule.whileInput((error) => isTransient(error) && Date.now() < deadline),
    Schedule.delays,
    Schedule.onDecision((delay, decision) =>
      Effect.suspend(() => {
        attempt++
        if (ScheduleDecision.isDone(decision)) return Effect.void
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Events.connectRetry(
            target.display,
            attempt,
            redactPassword(Redacted.value(settings.databaseUrl), pgErrorInfo(lastError()).message),
            Math.round(Duration.toMillis(delay)),
            settings.connectTimeoutMs - (now - startedAt)
          ))
      })
    )
  )
}

/**
 * A PostgreSQL client for the pipeline. Connection refused and "starting up" are retried with backoff until
 * MIGRATION_CONNECT_TIMEOUT; other failures (a wrong password) end at once. No attempt outlives that deadline: a
 * server that accepts TCP and never answers is given up on at it.
 */
const postgresClient = (settings: MigrationSettings, target: DatabaseTarget) => {
  const deadline = Date.now() + settings.connectTimeoutMs
  const perAttemptMs = attemptTimeoutMs(settings)
  return poolConfig(settings).pipe(
    Effect.flatMap((config) =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        let lastError: unknown = undefined
        return yield* Effect.suspend(() =>
          openPool(
            // At least half a second, so that the last attempt can still tell why (refused, not answering).
            (checkClient) => config(checkClient, Math.min(perAttemptMs, Math.max(500, deadline - Date.now()))),
            userOptions(settings)
          )
        ).pipe(
          Effect.tapError((error) => Effect.sync(() => void (lastError = error))),
          Effect.retry(retrySchedule(settings, target, startedAt, () => lastError, deadline))
        )
      })
    ),
    Effect.flatMap(({ pool, pooled }) =>
      Effect.map(
        PgClient.fromPool({ acquire: Effect.succeed(pool), applicationName: "effect-migrate" }),
        (client) => ({ client, pooled })
      )
    ),
    Effect.mapError((error) => unavailable(settings, target, error))
  )
}

/**
 * `pglite:memory`: the app's own PgClient when one is in the environment (the only way the app sees what was
 * migrated), else a throwaway database, said to be gone when the scope closes.
 */
const memoryClient = Effect.flatMap(Effect.serviceOption(PgClient.PgClient), (appClient) =>
  Option.match(appClient, {
    onSome: (client) => Effect.succeed(client),
    onNone: () => Effect.zipLeft(pgliteClient(memory), Effect.addFinalizer(() => Events.pgliteMemoryDiscarded))
  }))

/** The SqlClient and Database services for DATABASE_URL, released when the layer's scope closes. */
export const layer: Layer.Layer<
  SqlClient.SqlClient | PgClient.PgClient | Database.Database | ConnectionFacts,
  DatabaseUnavailable | ConfigError,
  MigrationConfig
> = Layer.scopedContext(
  Effect.gen(function*() {
    const settings = yield* MigrationConfig
    const target = parseTarget(Redacted.value(settings.databaseUrl))
    const { client, pooled } = target.engine === "postgres"
      ? yield* postgresClient(settings, target)
      : {
        client: target.dataDir === undefined || target.dataDir === memory
          ? yield* memoryClient
          : yield* pgliteClient(target.dataDir),
        pooled: false
      }
    const database = yield* Database.make(target).pipe(Effect.provideService(SqlClient.SqlClient, client))
    return Context.make(PgClient.PgClient, client).pipe(
      Context.add(SqlClient.SqlClient, client),
      Context.add(Database.Database, database),
      Context.add(ConnectionFacts, ConnectionFacts.of({ pooled }))
    )
  })
).pipe(Layer.provide(Reactivity.layer))
