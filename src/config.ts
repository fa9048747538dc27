import { Config, ConfigError as EffectConfigError, Context, Effect, Either, Layer, Redacted } from "effect"
import { ConfigError } from "./errors.js"

export type SslMode = "false" | "true" | "no-verify"
export type LogFormat = "text" | "json"
export type ValidateMode = "warn" | "strict"

/** Everything the pipeline reads from the environment (or from CLI flags standing in for it). */
export interface MigrationSettings {
  readonly databaseUrl: Redacted.Redacted<string>
  readonly ssl: SslMode
  readonly schema: string
  readonly table: string
  readonly autoRun: boolean
  readonly timeoutMs: number
  readonly migrationsDir: string
  readonly rlsFile: string
  readonly logFormat: LogFormat
  readonly lockWaitMs: number
  readonly lockTimeoutMs: number
  readonly lockRetries: number
  readonly connectTimeoutMs: number
  readonly validate: ValidateMode
}

export class MigrationConfig extends Context.Tag("effect-migrate/MigrationConfig")<MigrationConfig, MigrationSettings>() {}

export const defaults = {
  databaseUrl: "postgres://postgres:postgres@localhost:5432/app",
  ssl: "false",
  schema: "public",
  table: "migrations",
  autoRun: true,
  timeoutMs: 30_000,
  migrationsDir: "migrations",
  rlsFile: "sql/enable-rls.sql",
  logFormat: "text",
  lockWaitMs: 120_000,
  lockTimeoutMs: 10_000,
  lockRetries: 3,
  connectTimeoutMs: 30_000,
  validate: "warn"
} as const satisfies Omit<MigrationSettings, "databaseUrl"> & { readonly databaseUrl: string }

/** Unquoted PostgreSQL identifiers only: the schema and table names end up in DDL. */
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export const validateIdentifier = (variable: string, value: string): Either.Either<string, ConfigError> =>
  identifierPattern.test(value)
    ? Either.right(value)
    : Either.left(
      new ConfigError({
        variable,
        message: `${variable} must be a plain identifier (letters, digits, underscore; at most 63 characters), got ${
          JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
        }`
      })
    )

const oneOf = <A extends string>(variable: string, allowed: ReadonlyArray<A>, fallback: A) =>
  Config.string(variable).pipe(
    Config.withDefault(fallback),
    Config.map((value) => value.trim().toLowerCase()),
    Config.validate({
      message: `must be one of ${allowed.join(", ")}`,
      validation: (value): value is A => (allowed as ReadonlyArray<string>).includes(value)
    })
  ) as Config.Config<A>

const milliseconds = (variable: string, fallback: number, minimum = 0) =>
  Config.integer(variable).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `must be an integer number of milliseconds ≥ ${minimum}`, validation: (n) => n >= minimum })
  )

const sslMode = Config.string("DATABASE_SSL").pipe(
  Config.withDefault(defaults.ssl),
  Config.map((value) => value.trim().toLowerCase()),
  Config.mapOrFail((value) => {
    if (["true", "1", "yes", "on", "require", "verify-full"].includes(value)) return Either.right<SslMode>("true")
    if (["false", "0", "no", "off", "disable", ""].includes(value)) return Either.right<SslMode>("false")
    if (["no-verify", "noverify", "insecure"].includes(value)) return Either.right<SslMode>("no-verify")
    return Either.left(EffectConfigError.InvalidData([], "must be true, false or no-verify"))
  })
)

const read = <A>(variable: string, config: Config.Config<A>): Effect.Effect<A, ConfigError> =>
  Effect.mapError(config, (error) =>
    new ConfigError({
      variable,
      message: `${variable}: ${String(error).replace(/^\(?(Invalid data|Missing data) at [^:]*:\s*/, "").replace(/\)$/, "")}`
    }))

const identifier = (variable: string, fallback: string) =>
  read(variable, Config.string(variable).pipe(Config.withDefault(fallback))).pipe(
    Effect.map((value) => value.trim()),
    Effect.flatMap((value) => validateIdentifier(variable, value))
  )

/** Every % begins a valid escape: pg decodes the user, password and database, and a stray % broke the connection. */
const percentEncoded = (url: string): boolean => {
  try {
    decodeURIComponent(url)
    return true
  } catch {
    return false
  }
}

/** Reads and validates every variable; the error names the variable at fault. */
export const loadSettings: Effect.Effect<MigrationSettings, ConfigError> = Effect.gen(function*() {
  const databaseUrl = yield* read(
    "DATABASE_URL",
    Config.redacted("DATABASE_URL").pipe(Config.withDefault(Redacted.make(defaults.databaseUrl)))
  )
  const url = Redacted.value(databaseUrl).trim()
  if (url === "") {
    return yield* new ConfigError({ variable: "DATABASE_URL", message: "DATABASE_URL is empty" })
  }
  if (!/^(postgres(ql)?:\/\/|pglite:)/i.test(url)) {
    return yield* new ConfigError({
      variable: "DATABASE_URL",
      message: "DATABASE_URL must start with postgres://, postgresql:// or pglite:"
    })
  }
  if (!/^pglite:/i.test(url) && !percentEncoded(url)) {
    // The text itself is left out: the stray % is most often in the password.
    return yield* new ConfigError({
      variable: "DATABASE_URL",
      message: "DATABASE_URL has a % that does not begin a percent-encoded UTF-8 character (%XX): " +
        "write a literal % as %25 (in a password too), as libpq requires"
    })
  }
  return {
    databaseUrl: Redacted.make(url),
    ssl: yield* read("DATABASE_SSL", sslMode),
    schema: yield* identifier("DATABASE_SCHEMA", defaults.schema),
    table: yield* identifier("MIGRATION_TABLE", defaults.table),
    autoRun: yield* read("MIGRATION_AUTO_RUN", Config.boolean("MIGRATION_AUTO_RUN").pipe(Config.withDefault(defaults.autoRun))),
    timeoutMs: yield* read("MIGRATION_TIMEOUT", milliseconds("MIGRATION_TIMEOUT", defaults.timeoutMs, 1)),
    migrationsDir: yield* read("MIGRATIONS_DIR", Config.string("MIGRATIONS_DIR").pipe(Config.withDefault(defaults.migrationsDir))),
    rlsFile: yield* read("RLS_FILE", Config.string("RLS_FILE").pipe(Config.withDefault(defaults.rlsFile))),
    logFormat: yield* read("LOG_FORMAT", oneOf<LogFormat>("LOG_FORMAT", ["text", "json"], defaults.logFormat)),
    lockWaitMs: yield* read("MIGRATION_LOCK_WAIT", milliseconds("MIGRATION_LOCK_WAIT", defaults.lockWaitMs)),
    lockTimeoutMs: yield* read("MIGRATION_LOCK_TIMEOUT", milliseconds("MIGRATION_LOCK_TIMEOUT", defaults.lockTimeoutMs)),
    lockRetries: yield* read(
      "MIGRATION_LOCK_RETRIES",
      Config.integer("MIGRATION_LOCK_RETRIES").pipe(
        Config.withDefault(defaults.lockRetries),
        Config.validate({ message: "must be an integer ≥ 0", validation: (n) => n >= 0 })
      )
    ),
    connectTimeoutMs: yield* read(
      "MIGRATION_CONNECT_TIMEOUT",
      milliseconds("MIGRATION_CONNECT_TIMEOUT", defaults.connectTimeoutMs)
    ),
    validate: yield* read("MIGRATION_VALIDATE", oneOf<ValidateMode>("MIGRATION_VALIDATE", ["warn", "strict"], defaults.validate))
  }
})

/** Settings from the environment (or whatever ConfigProvider is installed). */
export const layerFromEnv: Layer.Layer<MigrationConfig, ConfigError> = Layer.effect(MigrationConfig, loadSettings)

/** Settings given in code, over the defaults; for tests and apps that configure by hand. */
export const layer = (
  settings: Partial<Omit<MigrationSettings, "databaseUrl">> & { readonly databaseUrl?: string | Redacted.Redacted<string> }
): Layer.Layer<MigrationConfig> => Layer.succeed(MigrationConfig, make(settings))

export const make = (
  settings: Partial<Omit<MigrationSettings, "databaseUrl">> & { readonly databaseUrl?: string | Redacted.Redacted<string> }
): MigrationSettings => {
  const { databaseUrl, ...rest } = settings
  return {
    ...defaults,
    ...rest,
    databaseUrl: databaseUrl === undefined
      ? Redacted.make(defaults.databaseUrl)
      : typeof databaseUrl === "string"
      ? Redacted.make(databaseUrl)
      : databaseUrl
  }
}
