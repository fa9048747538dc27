import { Context, Effect, Layer } from "effect"
import { readFileSync } from "node:fs"
import { readdir, readFile } from "node:fs/promises"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import { DuplicateMigrationId, MigrationLoadError } from "../errors.js"
import * as Migration from "../migration.js"
import { isMigrationFile } from "./fileName.js"
import { fromDefinition, importModule, migrationFromModule } from "./moduleFile.js"
import { parseSqlMigration } from "./sqlFile.js"

export interface MigrationSourceService {
  /** Every registered migration, validated, sorted by timestamp then id. */
  readonly load: Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId>
  /** Where new migrations go (`create`); undefined for sources given in code. */
  readonly directory: string | undefined
}

export class MigrationSource extends Context.Tag("effect-migrate/MigrationSource")<MigrationSource, MigrationSourceService>() {}

const rejectDuplicates = (
  migrations: ReadonlyArray<Migration.Migration>
): Effect.Effect<ReadonlyArray<Migration.Migration>, DuplicateMigrationId> => {
  const seen = new Map<string, Migration.Migration>()
  for (const migration of migrations) {
    const first = seen.get(migration.id)
    if (first !== undefined) {
      return Effect.fail(
        new DuplicateMigrationId({
          id: migration.id,
          sources: [first.source, migration.source],
          message: `duplicate migration id ${JSON.stringify(migration.id)} in ${first.source} and ${migration.source}`
        })
      )
    }
    seen.set(migration.id, migration)
  }
  return Effect.succeed([...migrations].sort(Migration.compare))
}

const cannotRead = (file: string, cause: unknown) => new MigrationLoadError({ file, message: `${file}: cannot read: ${describe(cause)}` })

/** A module migration: imported (tsx only for TypeScript), its text read once for the checksum. */
const loadModule = (directory: string, fileName: string): Effect.Effect<Migration.Migration, MigrationLoadError> => {
  const file = path.join(directory, fileName)
  return Effect.tryPromise({ try: () => readFile(file, "utf8"), catch: (cause) => cannotRead(file, cause) }).pipe(
    Effect.flatMap((text) =>
      Effect.flatMap(importModule(file, fileName), (module) => migrationFromModule(file, fileName, module, text))
    )
  )
}

/**
 * `.sql` files are read synchronously: for a directory of small files that is several times cheaper than one
 * promise per file, and start-up is what every replica pays. Between chunks the event loop gets a turn, so the
 * connection and the lock, set up at the same time, make progress while the files are read.
 */
const loadSqlFiles = (
  directory: string,
  names: ReadonlyArray<string>
): Effect.Effect<Array<Migration.Migration>, MigrationLoadError> =>
  Effect.gen(function*() {
    const migrations: Array<Migration.Migration> = []
    for (let start = 0; start < names.length; start += sqlChunk) {
      if (start > 0) yield* Effect.async<void>((resume) => void setImmediate(() => resume(Effect.void)))
      for (const fileName of names.slice(start, start + sqlChunk)) {
        const file = path.join(directory, fileName)
        let text: string
        try {
          text = readFileSync(file, "utf8")
        } catch (cause) {
          return yield* cannotRead(file, cause)
        }
        migrations.push(yield* parseSqlMigration(file, fileName, text))
      }
    }
    return migrations
  })

const sqlChunk = 100

/** Loads `.sql`, `.ts` and `.js` migrations from a directory (not recursive). */
export const loadDirectory = (
  directory: string
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.tryPromise({
    try: () => readdir(directory, { withFileTypes: true }),
    catch: (cause) =>
      new MigrationLoadError({ file: directory, message: `cannot read migrations directory ${directory}: ${describe(cause)}` })
  }).pipe(
    Effect.map((entries) => entries.filter((entry) => entry.isFile() && isMigrationFile(entry.name)).map((e) => e.name).sort()),
    Effect.flatMap((names) => {
      const sqlNames = names.filter((name) => name.endsWith(".sql"))
      const moduleNames = names.filter((name) => !name.endsWith(".sql"))
      return Effect.zipWith(
        loadSqlFiles(directory, sqlNames),
        Effect.forEach(moduleNames, (name) => loadModule(directory, name), { concurrency: 32 }),
        (sql, modules) => [...sql, ...modules],
        { concurrent: true }
      )
    }),
    Effect.flatMap(rejectDuplicates)
  )

/** Migrations registered in code, e.g. for apps that bundle them. */
export const loadDefinitions = (
  definitions: ReadonlyArray<Migration.MigrationDefinition>
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.forEach(definitions, (definition) => fromDefinition(definition, "code")).pipe(Effect.flatMap(rejectDuplicates))

export const fromDirectory = (directory: string): Layer.Layer<MigrationSource> =>
  Layer.succeed(MigrationSource, { load: loadDirectory(path.resolve(directory)), directory: path.resolve(directory) })

/** The directory named by MIGRATIONS_DIR. */
export const fromConfig: Layer.Layer<MigrationSource, never, MigrationConfig> = Layer.effect(
  MigrationSource,
  Effect.map(MigrationConfig, (settings) => {
    const directory = path.resolve(settings.migrationsDir)
    return { load: loadDirectory(directory), directory }
  })
)

export const fromArray = (definitions: ReadonlyArray<Migration.MigrationDefinition>): Layer.Layer<MigrationSource> =>
  Layer.succeed(MigrationSource, { load: loadDefinitions(definitions), directory: undefined })

const describe = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT") return "no such file or directory"
  return cause instanceof Error ? cause.message : String(cause)
}

