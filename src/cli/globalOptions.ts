import { Options } from "@effect/cli"
import { ConfigProvider, Context, Effect, Option } from "effect"

/** Each flag stands in for one environment variable and beats it. */
const flags = {
  databaseUrl: ["database-url", "DATABASE_URL", "PostgreSQL URL, or pglite:<dir> / pglite:memory"],
  ssl: ["ssl", "DATABASE_SSL", "TLS to the server: true (verify the certificate), no-verify or false"],
  schema: ["schema", "DATABASE_SCHEMA", "schema of the app's tables and of the journal"],
  table: ["table", "MIGRATION_TABLE", "name of the journal table"],
  migrationsDir: ["migrations-dir", "MIGRATIONS_DIR", "directory of .sql/.ts/.js migrations"],
  rlsFile: ["rls-file", "RLS_FILE", "the RLS SQL file (none to skip)"],
  timeout: ["timeout", "MIGRATION_TIMEOUT", "per-migration timeout, ms"],
  lockWait: ["lock-wait", "MIGRATION_LOCK_WAIT", "how long to wait for another runner's migration lock, ms"],
  lockTimeout: ["lock-timeout", "MIGRATION_LOCK_TIMEOUT", "lock_timeout of each migration statement, ms"],
  lockRetries: ["lock-retries", "MIGRATION_LOCK_RETRIES", "retries of a migration that hit lock_timeout"],
  connectTimeout: ["connect-timeout", "MIGRATION_CONNECT_TIMEOUT", "how long to retry an unreachable server, ms"],
  validate: ["validate", "MIGRATION_VALIDATE", "warn or strict: what to do about drift and unprotected tables"]
} as const

const textFlag = ([name, variable, description]: readonly [string, string, string]) =>
  Options.text(name).pipe(Options.withDescription(`${description} (overrides ${variable})`), Options.optional)

export const globalOptions = {
  databaseUrl: textFlag(flags.databaseUrl),
  ssl: textFlag(flags.ssl),
  schema: textFlag(flags.schema),
  table: textFlag(flags.table),
  migrationsDir: textFlag(flags.migrationsDir),
  rlsFile: textFlag(flags.rlsFile),
  timeout: textFlag(flags.timeout),
  lockWait: textFlag(flags.lockWait),
  lockTimeout: textFlag(flags.lockTimeout),
  lockRetries: textFlag(flags.lockRetries),
  connectTimeout: textFlag(flags.connectTimeout),
  validate: textFlag(flags.validate),
  logFormat: Options.choice("log-format", ["text", "json"]).pipe(
    Options.withDescription("log lines as text or JSON (overrides LOG_FORMAT)"),
    Options.optional
  )
}

export type GlobalOptions = {
  readonly [K in keyof typeof globalOptions]: Option.Option<string>
}

/** The global flags given before a subcommand's name (`effect-migrate --schema app status`). */
export class ParentFlags extends Context.Tag("effect-migrate/cli/ParentFlags")<ParentFlags, GlobalOptions>() {}

/** Only the global flags of a command's parsed options. */
export const pickGlobals = (options: GlobalOptions): GlobalOptions => {
  const picked: Record<string, Option.Option<string>> = {}
  for (const key of Object.keys(globalOptions)) picked[key] = options[key as keyof GlobalOptions]
  return picked as unknown as GlobalOptions
}

const overridesOf = (options: GlobalOptions, overrides: Map<string, string>) => {
  for (const [key, [, variable]] of Object.entries(flags)) {
    const value = options[key as keyof typeof flags]
    if (Option.isSome(value)) overrides.set(variable, value.value)
  }
  if (Option.isSome(options.logFormat)) overrides.set("LOG_FORMAT", options.logFormat.value)
}

/** Runs `self` with the flags given (after the subcommand's name, then before it) layered over the environment. */
export const withFlags = (options: GlobalOptions) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(ParentFlags), (parent) => {
    const overrides = new Map<string, string>()
    if (Option.isSome(parent)) overridesOf(parent.value, overrides)
    overridesOf(options, overrides)
    return Effect.withConfigProvider(
      self,
      ConfigProvider.fromMap(overrides).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    )
  })
