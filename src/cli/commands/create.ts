import { Args, Command, Options } from "@effect/cli"
import { Clock, Console, Effect } from "effect"
import { mkdir, readdir, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { ConfigError, MigrationLoadError } from "../../errors.js"
import { isMigrationFile, parseFileName, titleFromSlug } from "../../source/fileName.js"
import { runCommand } from "../environment.js"
import { globalOptions } from "../globalOptions.js"
import { sqlTemplate, typeScriptTemplate } from "../template.js"

const createOptions = {
  ...globalOptions,
  sql: Options.boolean("sql").pipe(Options.withDescription("write a .sql migration instead of a .ts one"))
}

const createArgs = { name: Args.text({ name: "name" }).pipe(Args.withDescription("what the migration does, e.g. add_user_color")) }

/** `Add user color` → `add_user_color`. */
export const slugOf = (name: string): string =>
  name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "")

const pad = (n: number) => String(n).padStart(2, "0")

/** `YYYYMMDDhhmmss` in UTC. */
export const timestampOf = (date: Date): string =>
  `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
  `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`

const dateOf = (timestamp: number): Date | undefined => {
  const text = String(timestamp)
  if (text.length !== 14) return undefined
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(text.slice(at, i === 0 ? 4 : at + 2)))
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!))
}

/** Now, or one second after the newest existing migration if that is later, so the new one sorts last. */
const nextTimestamp = (now: Date, existing: ReadonlyArray<number>): string => {
  const newest = existing.reduce((a, b) => Math.max(a, b), 0)
  const nowStamp = timestampOf(now)
  if (newest < Number(nowStamp)) return nowStamp
  const after = dateOf(newest)
  return after === undefined ? nowStamp : timestampOf(new Date(after.getTime() + 1_000))
}

const fsError = (file: string, action: string) => (cause: unknown) =>
  new MigrationLoadError({ file, message: `${file}: cannot ${action}: ${cause instanceof Error ? cause.message : String(cause)}` })

/** Writes a new migration from the template and returns its path. */
export const createMigration = (directory: string, name: string, sql: boolean) =>
  Effect.gen(function*() {
    const slug = slugOf(name)
    if (slug === "") {
      return yield* new ConfigError({
        variable: "name",
        message: `create: the name ${JSON.stringify(name)} has no letters or digits to make a file name from`
      })
    }
    yield* Effect.tryPromise({ try: () => mkdir(directory, { recursive: true }), catch: fsError(directory, "create the directory") })
    const existing = yield* Effect.tryPromise({ try: () => readdir(directory), catch: fsError(directory, "read the directory") })
    const timestamps = existing.filter(isMigrationFile).flatMap((file) => {
      const { timestamp } = parseFileName(file)
      return timestamp === undefined ? [] : [timestamp]
    })
    const now = new Date(yield* Clock.currentTimeMillis)
    const timestamp = nextTimestamp(now, timestamps)
    const id = `${timestamp}_${slug}`
    // A name with capitals is taken as written; `add_user_color` or `add user color` become `Add User Color`.
    const title = /[A-Z]/.test(name) ? name.trim().replace(/\s+/g, " ") : titleFromSlug(slug)
    const file = path.join(directory, `${id}${sql ? ".sql" : ".ts"}`)
    const text = (sql ? sqlTemplate : typeScriptTemplate)({ id, name: title, timestamp })
    yield* Effect.tryPromise({ try: () => writeFile(file, text, { flag: "wx" }), catch: fsError(file, "write") })
    return file
  })

export const createCommand = Command.make("create", { ...createOptions, ...createArgs }, (options) =>
  runCommand(options, { command: "create", logToStderr: true }, (settings) =>
    createMigration(settings.migrationsDir, options.name, options.sql).pipe(Effect.flatMap(Console.log)))).pipe(
    Command.withDescription(
      "Create a migration file YYYYMMDDhhmmss_<name>.ts (or .sql) in MIGRATIONS_DIR, with up and down to fill in; " +
        "prints its path.\n" +
        "Examples: effect-migrate create add_user_color   |   effect-migrate create \"add user color\" --sql"
    )
  )
