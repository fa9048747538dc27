import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { defaults, loadSettings, make, type MigrationSettings } from "../../src/config.js"
import { ConfigError } from "../../src/errors.js"

const given = {
  DATABASE_URL: "postgres://app:secret@db.internal:6543/shop?sslmode=require",
  DATABASE_SSL: " No-Verify ",
  DATABASE_SCHEMA: "tenant_1",
  MIGRATION_TABLE: "schema_history",
  MIGRATION_AUTO_RUN: "off",
  MIGRATION_TIMEOUT: "45000",
  MIGRATIONS_DIR: "db/migrations",
  RLS_FILE: "none",
  LOG_FORMAT: "JSON",
  MIGRATION_LOCK_WAIT: "0",
  MIGRATION_LOCK_TIMEOUT: "2500",
  MIGRATION_LOCK_RETRIES: "5",
  MIGRATION_CONNECT_TIMEOUT: "1e3",
  MIGRATION_VALIDATE: "strict"
}

const expected: Omit<MigrationSettings, "databaseUrl"> = {
  ssl: "no-verify",
  schema: "tenant_1",
  table: "schema_history",
  autoRun: false,
  timeoutMs: 45_000,
  migrationsDir: "db/migrations",
  rlsFile: "none",
  logFormat: "json",
  lockWaitMs: 0,
  lockTimeoutMs: 2_500,
  lockRetries: 5,
  lockMode: "auto",
  connectTimeoutMs: 1_000,
  validate: "strict",
  engine: "postgres",
  rlsEnabled: false,
  rlsFileExplicit: true,
  databaseUrlSet: true
}

const fromMap = (values: Record<string, string>) =>
  loadSettings.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(values)))))

/** Runs `loadSettings` under Effect's default provider, with `values` in process.env for the time of the run. */
const fromProcessEnv = (values: Record<string, string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const saved = Object.fromEntries(Object.keys(given).map((name) => [name, process.env[name]]))
      for (const name of Object.keys(given)) delete process.env[name]
      Object.assign(process.env, values)
      return saved
    }),
    () => loadSettings,
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

const plain = ({ databaseUrl, ...rest }: MigrationSettings) => ({ databaseUrl: Redacted.value(databaseUrl), ...rest })

describe("settings", () => {
  it.effect("every variable read, from process.env and from any other ConfigProvider alike", () =>
    Effect.gen(function*() {
      const fromEnv = yield* fromProcessEnv(given)
      expect(plain(fromEnv)).toEqual({ databaseUrl: given.DATABASE_URL, ...expected })
      expect(plain(yield* fromMap(given))).toEqual(plain(fromEnv))
    }))

  it.effect("the defaults when nothing is set", () =>
    Effect.gen(function*() {
      const settings = yield* fromMap({})
      const derived = { engine: "postgres", rlsEnabled: true, rlsFileExplicit: false, databaseUrlSet: false }
      expect(plain(settings)).toEqual({ ...defaults, ...derived })
      expect(plain(yield* fromProcessEnv({}))).toEqual({ ...defaults, ...derived })
    }))

  it.effect("a bad value is a ConfigError naming its variable and what was given, whichever provider", () =>
    Effect.gen(function*() {
      const cases: Array<[Record<string, string>, string, RegExp]> = [
        [{ MIGRATION_TIMEOUT: "abc" }, "MIGRATION_TIMEOUT", /expected an integer, got "abc"/],
        [{ MIGRATION_TIMEOUT: "0" }, "MIGRATION_TIMEOUT", /≥ 1, got 0/],
        [{ MIGRATION_TIMEOUT: "1.5" }, "MIGRATION_TIMEOUT", /expected an integer, got "1.5"/],
        [{ MIGRATION_LOCK_RETRIES: "-1" }, "MIGRATION_LOCK_RETRIES", /≥ 0, got -1/],
        [{ MIGRATION_AUTO_RUN: "maybe" }, "MIGRATION_AUTO_RUN", /got "maybe"/],
        [{ LOG_FORMAT: "xml" }, "LOG_FORMAT", /one of text, json, got "xml"/],
        [{ MIGRATION_VALIDATE: "loud" }, "MIGRATION_VALIDATE", /one of warn, strict/],
        [{ DATABASE_SSL: "maybe" }, "DATABASE_SSL", /true, false or no-verify, got "maybe"/],
        [{ DATABASE_SCHEMA: "app; drop" }, "DATABASE_SCHEMA", /plain identifier/],
        [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /must start with postgres/],
        [{ DATABASE_URL: "  " }, "DATABASE_URL", /empty/],
        [{ DATABASE_URL: "pglite:" }, "DATABASE_URL", /pglite: needs a data directory/],
        [{ DATABASE_URL: " PGLITE: " }, "DATABASE_URL", /pglite: needs a data directory/]
      ]
      for (const [values, variable, message] of cases) {
        for (const load of [fromMap, fromProcessEnv]) {
          const error = yield* Effect.flip(load(values))
          expect(error).toBeInstanceOf(ConfigError)
          expect(error.variable).toBe(variable)
          expect(error.message).toMatch(message)
        }
      }
    }))

  it.effect("the first variable at fault is the one named", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromMap({ MIGRATION_TIMEOUT: "x", LOG_FORMAT: "xml" }))
      expect(error.variable).toBe("MIGRATION_TIMEOUT")
    }))
})

describe("derived settings", () => {
  it.effect("engine from the URL, the RLS stage on or off, and whether RLS_FILE and DATABASE_URL were given", () =>
    Effect.gen(function*() {
      const pglite = yield* fromMap({ DATABASE_URL: "pglite:memory", RLS_FILE: "sql/rls.sql" })
      expect(pglite).toMatchObject({ engine: "pglite", rlsEnabled: true, rlsFileExplicit: true, databaseUrlSet: true })
      for (const off of ["none", " OFF ", "false", ""]) {
        expect(yield* fromMap({ RLS_FILE: off })).toMatchObject({ rlsEnabled: false, rlsFileExplicit: true, rlsFile: off })
      }
    }))

  it("Config.make derives the same facts from settings given in code", () => {
    expect(make({})).toMatchObject({ engine: "postgres", rlsEnabled: true, rlsFileExplicit: false, databaseUrlSet: false })
    expect(make({ databaseUrl: "pglite:/tmp/db", rlsFile: "none" })).toMatchObject({
      engine: "pglite",
      rlsEnabled: false,
      rlsFileExplicit: true,
      databaseUrlSet: true
    })
  })
})
