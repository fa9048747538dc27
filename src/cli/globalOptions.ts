import { Options } from "@effect/cli"
import { Config, ConfigError, ConfigProvider, Context, Effect, Either, Option } from "effect"

/** The flags every command takes; each stands in for one environment variable and beats it. */
export interface GlobalOptions {
  readonly databaseUrl: Option.Option<string>
  readonly ssl: Option.Option<string>
  readonly schema: Option.Option<string>
  readonly table: Option.Option<string>
  readonly migrationsDir: Option.Option<string>
  readonly rlsFile: Option.Option<string>
  readonly timeout: Option.Option<number>
  readonly lockWait: Option.Option<number>
  readonly lockTimeout: Option.Option<number>
  readonly lockRetries: Option.Option<number>
  readonly connectTimeout: Option.Option<number>
  readonly validate: Option.Option<string>
  readonly logFormat: Option.Option<string>
}

/** Each flag's variable: the settings read the flags' values under these names. */
const variables: { readonly [K in keyof GlobalOptions]: string } = {
  databaseUrl: "DATABASE_URL",
  ssl: "DATABASE_SSL",
  schema: "DATABASE_SCHEMA",
  table: "MIGRATION_TABLE",
  migrationsDir: "MIGRATIONS_DIR",
  rlsFile: "RLS_FILE",
  timeout: "MIGRATION_TIMEOUT",
  lockWait: "MIGRATION_LOCK_WAIT",
  lockTimeout: "MIGRATION_LOCK_TIMEOUT",
  lockRetries: "MIGRATION_LOCK_RETRIES",
  connectTimeout: "MIGRATION_CONNECT_TIMEOUT",
  validate: "MIGRATION_VALIDATE",
  logFormat: "LOG_FORMAT"
}

/**
 * A variable as an integer (`Number`'s syntax, as `Config.integer` reads it). One that is not an integer reads as
 * absent here (missing data): the settings then report it with their own message, and `--help` still works.
 */
const integerVariable = (variable: string): Config.Config<number> =>
  Config.string(variable).pipe(Config.mapOrFail((text) => {
    const value = Number(text)
    return Number.isInteger(value)
      ? Either.right(value)
      : Either.left(ConfigError.MissingData([], `${variable} is not an integer`))
  }))

/**
 * The global flags. With `fallback`, an absent flag takes its variable's value (`Options.withFallbackConfig`): the
 * root command's flags do, so what they give is the flags before a subcommand's name over the environment. A
 * subcommand's own flags do not, so that only a flag given after its name beats those.
 */
const makeGlobalOptions = (fallback: boolean): { readonly [K in keyof GlobalOptions]: Options.Options<GlobalOptions[K]> } => {
  const flag = <A>(option: Options.Options<A>, key: keyof GlobalOptions, config: Config.Config<A>, description: string) =>
    option.pipe(
      Options.withDescription(`${description} (overrides ${variables[key]})`),
      (described) => (fallback ? Options.withFallbackConfig(described, config) : described),
      Options.optional
    )
  const text = (name: string, key: keyof GlobalOptions, description: string) =>
    flag(Options.text(name), key, Config.string(variables[key]), description)
  const integer = (name: string, key: keyof GlobalOptions, description: string) =>
    flag(Options.integer(name), key, integerVariable(variables[key]), description)
  return {
    databaseUrl: text("database-url", "databaseUrl", "PostgreSQL URL, or pglite:<dir> / pglite:memory"),
    ssl: text("ssl", "ssl", "TLS to the server: true (verify the certificate), no-verify or false"),
    schema: text("schema", "schema", "schema of the app's tables and of the journal"),
    table: text("table", "table", "name of the journal table"),
    migrationsDir: text("migrations-dir", "migrationsDir", "directory of .sql/.ts/.js migrations"),
    rlsFile: text("rls-file", "rlsFile", "the RLS SQL file (none to skip)"),
    timeout: integer("timeout", "timeout", "per-migration timeout, ms"),
    lockWait: integer("lock-wait", "lockWait", "how long to wait for another runner's migration lock, ms"),
    lockTimeout: integer("lock-timeout", "lockTimeout", "lock_timeout of each migration statement, ms"),
    lockRetries: integer("lock-retries", "lockRetries", "retries of a migration that hit lock_timeout"),
    connectTimeout: integer("connect-timeout", "connectTimeout", "how long to retry an unreachable server, ms"),
    validate: text("validate", "validate", "warn or strict: what to do about drift and unprotected tables"),
    logFormat: flag(
      Options.choice("log-format", ["text", "json"]),
      "logFormat",
      Config.string(variables.logFormat),
      "log lines as text or JSON"
    )
  }
}

/** A subcommand's global flags: explicit values only. */
export const globalOptions = makeGlobalOptions(false)

/** The root command's global flags: each falls back to its variable. */
export const rootGlobalOptions = makeGlobalOptions(true)

/** The root command's flags (given before a subcommand's name, or the environment's values), for its subcommands. */
export class ParentFlags extends Context.Tag("effect-migrate/cli/ParentFlags")<ParentFlags, GlobalOptions>() {}

/** Only the global flags of a command's parsed options. */
export const pickGlobals = (options: GlobalOptions): GlobalOptions => {
  const picked: Record<string, Option.Option<string | number>> = {}
  for (const key of Object.keys(variables)) picked[key] = options[key as keyof GlobalOptions]
  return picked as unknown as GlobalOptions
}

/**
 * Runs `self` with the flags layered over the ConfigProvider in use: a subcommand's flags, else the root's (which
 * carry the environment's values), else the provider itself.
 */
export const withFlags = (options: GlobalOptions) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(ParentFlags), (parent) => {
    const values = new Map<string, string>()
    for (const [key, variable] of Object.entries(variables)) {
      const given = (flags: GlobalOptions): Option.Option<string | number> => flags[key as keyof GlobalOptions]
      const value = Option.orElse(given(options), () => Option.flatMap(parent, given))
      if (Option.isSome(value)) values.set(variable, String(value.value))
    }
    return Effect.configProviderWith((current) =>
      Effect.withConfigProvider(self, ConfigProvider.fromMap(values).pipe(ConfigProvider.orElse(() => current)))
    )
  })
