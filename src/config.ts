import { Config, ConfigError as EffectConfigError, Context, Effect, Either, Layer, Option, Redacted } from "effect"
import { passwordsIn } from "./database/redaction.js"
import { parseTarget } from "./database/target.js"
import { ConfigError } from "./errors.js"

export type SslMode = "false" | "true" | "no-verify"
export type LogFormat = "text" | "json"
export type ValidateMode = "warn" | "strict"
export type Engine = "postgres" | "pglite"
/** How runners exclude each other: see docs/locking.md. */
export type LockMode = "auto" | "session" | "transaction"

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
  readonly lockMode: LockMode
  readonly connectTimeoutMs: number
  readonly validate: ValidateMode
  /** Derived from the URL: `pglite:` is the embedded engine. */
  readonly engine: Engine
  /** false when RLS_FILE is none, off, false or empty: no RLS stage. */
  readonly rlsEnabled: boolean
  /** RLS_FILE was set (not the default), so a missing file is an error rather than a skipped stage. */
  readonly rlsFileExplicit: boolean
  /** DATABASE_URL was given; otherwise the default URL is tried. */
  readonly databaseUrlSet: boolean
}

type Derived = "engine" | "rlsEnabled" | "rlsFileExplicit" | "databaseUrlSet"

/** Settings given in code: any field but the derived ones, over the defaults. */
export type SettingsInput = Partial<Omit<MigrationSettings, "databaseUrl" | Derived>> & {
  readonly databaseUrl?: string | Redacted.Redacted<string>
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
  lockMode: "auto",
  connectTimeoutMs: 30_000,
  validate: "warn"
} as const satisfies Omit<MigrationSettings, "databaseUrl" | Derived> & { readonly databaseUrl: string }

/** Every variable the settings are read from, in the order their errors are reported. */
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
  "MIGRATION_LOCK",
  "MIGRATION_CONNECT_TIMEOUT",
  "MIGRATION_VALIDATE"
] as const

type Variable = (typeof variables)[number]

type Parsed<A> = Either.Either<A, EffectConfigError.ConfigError>

/** Unquoted PostgreSQL identifiers only: the schema and table names end up in DDL. */
const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** A value as an error message shows it: quoted, and cut short when long. */
const quoted = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)

const invalid = (message: string): Parsed<never> => Either.left(EffectConfigError.InvalidData([], message))

/**
 * One variable read as text and parsed, with its default when it is not set. Nested under the variable's name, so
 * that an error's path names the variable at fault.
 */
const setting = <A>(name: Variable, parse: (text: string) => Parsed<A>, fallback: A): Config.Config<A> =>
  Config.string().pipe(Config.mapOrFail(parse), Config.withDefault(fallback), Config.nested(name))

const oneOf = <A extends string>(name: Variable, allowed: ReadonlyArray<A>, fallback: A) =>
  setting(name, (text) => {
    const value = text.trim().toLowerCase()
    return (allowed as ReadonlyArray<string>).includes(value)
      ? Either.right(value as A)
      : invalid(`${name}: must be one of ${allowed.join(", ")}, got ${quoted(value)}`)
  }, fallback)

/** A whole number (`Number`'s syntax, as `Config.integer` reads it) of at least `minimum`. */
const integer = (name: Variable, fallback: number, minimum: number, what = "an integer number of milliseconds") =>
  setting(name, (text) => {
    const parsed = Number(text)
    if (!Number.isInteger(parsed)) return invalid(`${name}: expected an integer, got ${quoted(text)}`)
    return parsed >= minimum ? Either.right(parsed) : invalid(`${name}: must be ${what} ≥ ${minimum}, got ${parsed}`)
  }, fallback)

const booleans: Readonly<Record<string, boolean>> = { true: true, yes: true, on: true, 1: true, false: false, no: false, off: false, 0: false }

const boolean = (name: Variable, fallback: boolean) =>
  setting(name, (text) => {
    const parsed = booleans[text.trim().toLowerCase()]
    return parsed === undefined
      ? invalid(`${name}: expected true or false (yes/no, on/off, 1/0), got ${quoted(text)}`)
      : Either.right(parsed)
  }, fallback)

const sslModes: Readonly<Record<string, SslMode>> = {
  true: "true", 1: "true", yes: "true", on: "true", require: "true", "verify-full": "true",
  false: "false", 0: "false", no: "false", off: "false", disable: "false", "": "false",
  "no-verify": "no-verify", noverify: "no-verify", insecure: "no-verify"
}

const sslMode = setting("DATABASE_SSL", (text) => {
  const mode = sslModes[text.trim().toLowerCase()]
  return mode === undefined ? invalid(`DATABASE_SSL: must be true, false or no-verify, got ${quoted(text)}`) : Either.right(mode)
}, defaults.ssl)

const identifier = (name: Variable, fallback: string) =>
  setting(name, (text) => {
    const value = text.trim()
    return identifierPattern.test(value)
      ? Either.right(value)
      : invalid(`${name} must be a plain identifier (letters, digits, underscore; at most 63 characters), got ${quoted(value)}`)
  }, fallback)

/** Every % begins a valid escape: pg decodes the user, password and database, and a stray % broke the connection. */
const percentEncoded = (url: string): boolean => {
  try {
    decodeURIComponent(url)
    return true
  } catch {
    return false
  }
}

const parseUrl = (given: Option.Option<string>): Parsed<{ readonly url: string; readonly set: boolean }> => {
  const url = Option.getOrElse(given, () => defaults.databaseUrl).trim()
  if (url === "") return invalid("DATABASE_URL is empty")
  if (!/^(postgres(ql)?:\/\/|pglite:)/i.test(url)) return invalid("DATABASE_URL must start with postgres://, postgresql:// or pglite:")
  if (/^pglite:$/i.test(url)) {
    return invalid("DATABASE_URL: pglite: needs a data directory (pglite:./data), or pglite:memory for a database discarded at exit")
  }
  if (!/^pglite:/i.test(url) && !percentEncoded(url)) {
    // The text itself is left out: the stray % is most often in the password.
    return invalid(
      "DATABASE_URL has a % that does not begin a percent-encoded UTF-8 character (%XX): " +
        "write a literal % as %25 (in a password too), as libpq requires"
    )
  }
  return Either.right({ url, set: Option.isSome(given) })
}

const databaseUrl = Config.string().pipe(Config.option, Config.mapOrFail(parseUrl), Config.nested("DATABASE_URL"))

/** `RLS_FILE=none` (or empty, off, false) skips the RLS stage. */
const rlsOff = (file: string) => ["", "none", "off", "false"].includes(file.trim().toLowerCase())

type Given = Omit<MigrationSettings, Derived>

const derive = (settings: Given, given: { readonly rlsFile: boolean; readonly databaseUrl: boolean }): MigrationSettings => ({
  ...settings,
  engine: parseTarget(Redacted.value(settings.databaseUrl)).engine,
  rlsEnabled: !rlsOff(settings.rlsFile),
  rlsFileExplicit: given.rlsFile,
  databaseUrlSet: given.databaseUrl
})

/** The settings as one Config: every variable, validated, with the facts derived from them. */
export const settingsConfig: Config.Config<MigrationSettings> = Config.all({
  databaseUrl,
  ssl: sslMode,
  schema: identifier("DATABASE_SCHEMA", defaults.schema).pipe(
    Config.validate({
      message: "DATABASE_SCHEMA: information_schema and pg_* are PostgreSQL's own schemas, not a place for the app's tables and journal",
      validation: (schema) => !/^(information_schema$|pg_)/i.test(schema)
    })
  ),
  table: identifier("MIGRATION_TABLE", defaults.table),
  autoRun: boolean("MIGRATION_AUTO_RUN", defaults.autoRun),
  timeoutMs: integer("MIGRATION_TIMEOUT", defaults.timeoutMs, 1),
  migrationsDir: Config.string("MIGRATIONS_DIR").pipe(Config.withDefault(defaults.migrationsDir)),
  rlsFile: Config.option(Config.string("RLS_FILE")),
  logFormat: oneOf<LogFormat>("LOG_FORMAT", ["text", "json"], defaults.logFormat),
  lockWaitMs: integer("MIGRATION_LOCK_WAIT", defaults.lockWaitMs, 0),
  // 0 would be PostgreSQL's "wait for ever" on a table lock, with the app's queries queued behind the migration.
  lockTimeoutMs: integer("MIGRATION_LOCK_TIMEOUT", defaults.lockTimeoutMs, 1, "an integer number of milliseconds (0 would mean no limit at all)"),
  lockRetries: integer("MIGRATION_LOCK_RETRIES", defaults.lockRetries, 0, "an integer"),
  lockMode: oneOf<LockMode>("MIGRATION_LOCK", ["auto", "session", "transaction"], defaults.lockMode),
  connectTimeoutMs: integer("MIGRATION_CONNECT_TIMEOUT", defaults.connectTimeoutMs, 0),
  validate: oneOf<ValidateMode>("MIGRATION_VALIDATE", ["warn", "strict"], defaults.validate)
}).pipe(
  Config.map(({ databaseUrl, rlsFile, ...rest }) =>
    derive(
      { ...rest, databaseUrl: Redacted.make(databaseUrl.url), rlsFile: Option.getOrElse(rlsFile, () => defaults.rlsFile) },
      { rlsFile: Option.isSome(rlsFile), databaseUrl: databaseUrl.set }
    )
  )
)

/** MIGRATION_LINT_DISABLE: rule ids `effect-migrate lint` leaves out, comma separated (checked by the command). */
const lintDisableConfig: Config.Config<ReadonlyArray<string>> = Config.string("MIGRATION_LINT_DISABLE").pipe(
  Config.map((text) => text.split(",").map((id) => id.trim()).filter((id) => id !== "")),
  Config.withDefault([])
)

/** The single errors of a (possibly combined) Config error, in the order of `variables`. */
type SingleError = Exclude<EffectConfigError.ConfigError, EffectConfigError.And | EffectConfigError.Or>

const singleErrors = (error: EffectConfigError.ConfigError): Array<SingleError> =>
  error._op === "And" || error._op === "Or" ? [...singleErrors(error.left), ...singleErrors(error.right)] : [error]

const rank = (error: SingleError) => {
  const index = variables.indexOf(error.path[0] as Variable)
  return index < 0 ? variables.length : index
}

/** Effect's ConfigError as ours, naming the first variable at fault. */
const toConfigError = (error: EffectConfigError.ConfigError): ConfigError => {
  const first = singleErrors(error).sort((a, b) => rank(a) - rank(b))[0]
  const variable = first?.path.join("_") || "configuration"
  const message = first?.message ?? String(error)
  return new ConfigError({ variable, message: message.startsWith(variable) ? message : `${variable}: ${message}` })
}

/** Reads and validates every variable from the ConfigProvider in use; the error names the variable at fault. */
export const loadSettings: Effect.Effect<MigrationSettings, ConfigError> = Effect.mapError(settingsConfig, toConfigError)

/** MIGRATION_LINT_DISABLE's rule ids, read as the settings are (its error names the variable). */
export const loadLintDisabled: Effect.Effect<ReadonlyArray<string>, ConfigError> = Effect.mapError(lintDisableConfig, toConfigError)

/** Settings from the environment (or whatever ConfigProvider is installed). */
export const layerFromEnv: Layer.Layer<MigrationConfig, ConfigError> = Layer.effect(MigrationConfig, loadSettings)

/** Settings given in code, over the defaults; for tests and apps that configure by hand. */
export const layer = (settings: SettingsInput): Layer.Layer<MigrationConfig> => Layer.succeed(MigrationConfig, make(settings))

export const make = (settings: SettingsInput): MigrationSettings => {
  const { databaseUrl, ...rest } = settings
  const url = databaseUrl === undefined
    ? Redacted.make(defaults.databaseUrl)
    : typeof databaseUrl === "string"
    ? Redacted.make(databaseUrl)
    : databaseUrl
  return derive(
    { ...defaults, ...rest, databaseUrl: url },
    { rlsFile: settings.rlsFile !== undefined, databaseUrl: databaseUrl !== undefined }
  )
}

/**
 * The passwords no output may show: DATABASE_URL's, PGPASSWORD (which pg reads on its own) and those in URLs among
 * `texts` (command-line arguments), longest first.
 */
export const secretsIn = (texts: ReadonlyArray<string>): Config.Config<ReadonlyArray<string>> =>
  Config.all([Config.option(Config.string("DATABASE_URL")), Config.option(Config.string("PGPASSWORD"))]).pipe(
    Config.map(([url, password]) =>
      [...passwordsIn([...Option.toArray(url), ...texts]), ...Option.toArray(password).filter((text) => text !== "")]
        .sort((a, b) => b.length - a.length)
    )
  )
