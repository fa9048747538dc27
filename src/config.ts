import { Config, type ConfigError as EffectConfigError, Context, Effect, Either, Layer, Option, Redacted } from "effect"
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

/** A value as an error message shows it: quoted, and cut short when long. */
const quoted = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)

export const validateIdentifier = (variable: string, value: string): Either.Either<string, ConfigError> =>
  identifierPattern.test(value)
    ? Either.right(value)
    : Either.left(
      new ConfigError({
        variable,
        message: `${variable} must be a plain identifier (letters, digits, underscore; at most 63 characters), got ${quoted(value)}`
      })
    )

/** Every variable the settings are read from. */
const variables = [
  "DATABASE_URL",
  "DATABASE_SSL",
  "DATABASE_SCHEMA",
  "MIGRATION_TABLE",
  "MIGRATION_AUTO_RUN",
  "MIGRATION_TIMEOUT",
  "MIGRATIONS_DIR",
  "RLS_FILE",
  "LOG_FORMAT",
  "MIGRATION_LOCK_WAIT",
  "MIGRATION_LOCK_TIMEOUT",
  "MIGRATION_LOCK_RETRIES",
  "MIGRATION_CONNECT_TIMEOUT",
  "MIGRATION_VALIDATE"
] as const

type Variable = (typeof variables)[number]

/** A variable's value as given, undefined when it is not set. */
type Lookup = (variable: Variable) => string | undefined

const invalid = (variable: Variable, message: string) => Either.left(new ConfigError({ variable, message: `${variable}: ${message}` }))

const oneOf = <A extends string>(lookup: Lookup, variable: Variable, allowed: ReadonlyArray<A>, fallback: A): Either.Either<A, ConfigError> => {
  const value = (lookup(variable) ?? fallback).trim().toLowerCase()
  return (allowed as ReadonlyArray<string>).includes(value)
    ? Either.right(value as A)
    : invalid(variable, `must be one of ${allowed.join(", ")}, got ${quoted(value)}`)
}

/** A whole number (`Number`'s syntax, as Effect's `Config.integer` reads it) of at least `minimum`. */
const integer = (lookup: Lookup, variable: Variable, fallback: number, minimum: number, what: string): Either.Either<number, ConfigError> => {
  const value = lookup(variable)
  if (value === undefined) return Either.right(fallback)
  const parsed = Number(value)
  if (!Number.isInteger(parsed)) return invalid(variable, `expected an integer, got ${quoted(value)}`)
  return parsed >= minimum ? Either.right(parsed) : invalid(variable, `must be ${what} ≥ ${minimum}, got ${parsed}`)
}

const milliseconds = (lookup: Lookup, variable: Variable, fallback: number, minimum = 0) =>
  integer(lookup, variable, fallback, minimum, "an integer number of milliseconds")

const booleans: Readonly<Record<string, boolean>> = { true: true, yes: true, on: true, 1: true, false: false, no: false, off: false, 0: false }

const boolean = (lookup: Lookup, variable: Variable, fallback: boolean): Either.Either<boolean, ConfigError> => {
  const value = lookup(variable)
  if (value === undefined) return Either.right(fallback)
  const parsed = booleans[value.trim().toLowerCase()]
  return parsed === undefined ? invalid(variable, `expected true or false (yes/no, on/off, 1/0), got ${quoted(value)}`) : Either.right(parsed)
}

const sslModes: Readonly<Record<string, SslMode>> = {
  true: "true", 1: "true", yes: "true", on: "true", require: "true", "verify-full": "true",
  false: "false", 0: "false", no: "false", off: "false", disable: "false", "": "false",
  "no-verify": "no-verify", noverify: "no-verify", insecure: "no-verify"
}

const sslMode = (lookup: Lookup): Either.Either<SslMode, ConfigError> => {
  const mode = sslModes[(lookup("DATABASE_SSL") ?? defaults.ssl).trim().toLowerCase()]
  return mode === undefined
    ? invalid("DATABASE_SSL", `must be true, false or no-verify, got ${quoted(lookup("DATABASE_SSL") ?? "")}`)
    : Either.right(mode)
}

const identifier = (lookup: Lookup, variable: Variable, fallback: string) =>
  validateIdentifier(variable, (lookup(variable) ?? fallback).trim())

/** Every % begins a valid escape: pg decodes the user, password and database, and a stray % broke the connection. */
const percentEncoded = (url: string): boolean => {
  try {
    decodeURIComponent(url)
    return true
  } catch {
    return false
  }
}

const databaseUrl = (lookup: Lookup): Either.Either<Redacted.Redacted<string>, ConfigError> => {
  const url = (lookup("DATABASE_URL") ?? defaults.databaseUrl).trim()
  if (url === "") return Either.left(new ConfigError({ variable: "DATABASE_URL", message: "DATABASE_URL is empty" }))
  if (!/^(postgres(ql)?:\/\/|pglite:)/i.test(url)) {
    return Either.left(
      new ConfigError({ variable: "DATABASE_URL", message: "DATABASE_URL must start with postgres://, postgresql:// or pglite:" })
    )
  }
  if (!/^pglite:/i.test(url) && !percentEncoded(url)) {
    // The text itself is left out: the stray % is most often in the password.
    return Either.left(
      new ConfigError({
        variable: "DATABASE_URL",
        message: "DATABASE_URL has a % that does not begin a percent-encoded UTF-8 character (%XX): " +
          "write a literal % as %25 (in a password too), as libpq requires"
      })
    )
  }
  return Either.right(Redacted.make(url))
}

/** The settings the variables give; the error names the first variable at fault, in the order of `variables`. */
const settingsFrom = (lookup: Lookup): Either.Either<MigrationSettings, ConfigError> =>
  Either.all({
    databaseUrl: databaseUrl(lookup),
    ssl: sslMode(lookup),
    schema: identifier(lookup, "DATABASE_SCHEMA", defaults.schema),
    table: identifier(lookup, "MIGRATION_TABLE", defaults.table),
    autoRun: boolean(lookup, "MIGRATION_AUTO_RUN", defaults.autoRun),
    timeoutMs: milliseconds(lookup, "MIGRATION_TIMEOUT", defaults.timeoutMs, 1),
    migrationsDir: Either.right(lookup("MIGRATIONS_DIR") ?? defaults.migrationsDir),
    rlsFile: Either.right(lookup("RLS_FILE") ?? defaults.rlsFile),
    logFormat: oneOf<LogFormat>(lookup, "LOG_FORMAT", ["text", "json"], defaults.logFormat),
    lockWaitMs: milliseconds(lookup, "MIGRATION_LOCK_WAIT", defaults.lockWaitMs),
    lockTimeoutMs: milliseconds(lookup, "MIGRATION_LOCK_TIMEOUT", defaults.lockTimeoutMs),
    lockRetries: integer(lookup, "MIGRATION_LOCK_RETRIES", defaults.lockRetries, 0, "an integer"),
    connectTimeoutMs: milliseconds(lookup, "MIGRATION_CONNECT_TIMEOUT", defaults.connectTimeoutMs),
    validate: oneOf<ValidateMode>(lookup, "MIGRATION_VALIDATE", ["warn", "strict"], defaults.validate)
  })

/** The provider Effect installs by default: it reads `process.env`, by the variable's own name. */
const environmentProvider = Effect.runSync(Effect.configProviderWith(Effect.succeed))

/**
 * The variables' values from the ConfigProvider in use (flags layered over the environment, a map in tests), each
 * read as `Config.string`; the default provider's are read from `process.env` directly, which is what it does, at a
 * fraction of the cost (Effect's Config machinery took 5 ms at a process's first start).
 */
const lookupVariables: Effect.Effect<Lookup, ConfigError> = Effect.configProviderWith((provider) =>
  provider === environmentProvider
    ? Effect.succeed((variable: Variable) => process.env[variable])
    : Effect.map(Config.all(variables.map((variable) => Config.option(Config.string(variable)))), (values): Lookup => {
      const given = new Map<Variable, string | undefined>(
        variables.map((variable, index) => [variable, Option.getOrUndefined(values[index] ?? Option.none())])
      )
      return (variable) => given.get(variable)
    }).pipe(
      Effect.mapError((error: EffectConfigError.ConfigError) =>
        new ConfigError({ variable: "configuration", message: `cannot read the configuration: ${String(error)}` })
      )
    )
)

/** Reads and validates every variable; the error names the variable at fault. */
export const loadSettings: Effect.Effect<MigrationSettings, ConfigError> = Effect.flatMap(lookupVariables, settingsFrom)

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
