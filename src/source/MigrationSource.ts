import { Context, Effect, Either, Layer } from "effect"
import { readdirSync } from "node:fs"
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import { DuplicateMigrationId, MigrationLoadError } from "../errors.js"
import * as Migration from "../migration.js"
import { isMigrationFile } from "./fileName.js"
import { fromDefinition, importModule, migrationFromModule } from "./moduleFile.js"
import { cannotRead, describeCause } from "./readError.js"
import type { MigrationFingerprint } from "./sqlFile.js"
import { type FileCache, fingerprintCache, type SqlFileCache, sqlFileCache } from "./sqlFileCache.js"

export interface MigrationSourceService {
  /** Every registered migration, validated, sorted by timestamp then id. */
  readonly load: Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId>
  /** Where new migrations go (`create`); undefined for sources given in code. */
  readonly directory: string | undefined
}

export class MigrationSource extends Context.Tag("effect-migrate/MigrationSource")<MigrationSource, MigrationSourceService>() {}

const rejectDuplicates = <A extends MigrationFingerprint>(
  migrations: ReadonlyArray<A>
): Effect.Effect<ReadonlyArray<A>, DuplicateMigrationId> => {
  const seen = new Map<string, A>()
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
 * promise per file, and start-up is what every replica pays. Unchanged files come parsed from the process's cache
 * (one `stat` each). Every millisecond the event loop gets a turn, so the connection and the lock, set up
 * at the same time, make progress while the files are read.
 */
const loadSqlFiles = <A>(
  directory: string,
  names: ReadonlyArray<string>,
  cache: FileCache<A>
): Effect.Effect<Array<A>, MigrationLoadError> =>
  Effect.suspend(() => {
    const files = cache.open(directory, names)
    const migrations: Array<A> = []
    const from = (start: number): Effect.Effect<Array<A>, MigrationLoadError> => {
      const until = performance.now() + sliceMs
      for (let index = start; index < names.length; index++) {
        const loaded = files.load(index)
        if (Either.isLeft(loaded)) return Effect.fail(loaded.left)
        migrations.push(loaded.right)
        if ((index & 15) === 15 && index + 1 < names.length && performance.now() > until) {
          return Effect.flatMap(nextTurn, () => from(index + 1))
        }
      }
      return Effect.succeed(migrations)
    }
    return from(0)
  })

/** How long the `.sql` files may hold the event loop before it gets a turn (the clock is read every 16 files). */
const sliceMs = 1

const nextTurn = Effect.async<void>((resume) => void setImmediate(() => resume(Effect.void)))

/** The migration files of a directory (not recursive), sorted by name. */
export const listDirectory = (directory: string): Effect.Effect<ReadonlyArray<string>, MigrationLoadError> =>
  Effect.try({
    try: () => readdirSync(directory, { withFileTypes: true }),
    catch: (cause) =>
      new MigrationLoadError({ file: directory, message: `cannot read migrations directory ${directory}: ${describeCause(cause)}` })
  }).pipe(
    Effect.map((entries) => entries.filter((entry) => entry.isFile() && isMigrationFile(entry.name)).map((e) => e.name).sort())
  )

/**
 * Modules this run has imported already, by file path: the pipeline takes them from the up-to-date check instead of
 * reading their text again, which could then differ from the code the process imported.
 */
export type LoadedModules = ReadonlyMap<string, Migration.Migration>

/**
 * Loads `.sql` files through `cache` and modules (imported, or taken from `loadedModules`) as `fromModule` turns
 * them, all checked for duplicate ids.
 */
const loadListed = <A extends MigrationFingerprint>(
  directory: string,
  names: ReadonlyArray<string>,
  cache: FileCache<A>,
  fromModule: (migration: Migration.Migration) => A,
  loadedModules: LoadedModules | undefined
): Effect.Effect<ReadonlyArray<A>, MigrationLoadError | DuplicateMigrationId> => {
  const sqlNames = names.filter((name) => name.endsWith(".sql"))
  const moduleNames = names.filter((name) => !name.endsWith(".sql"))
  const moduleOf = (name: string) => {
    const loaded = loadedModules?.get(path.join(directory, name))
    return Effect.map(loaded === undefined ? loadModule(directory, name) : Effect.succeed(loaded), fromModule)
  }
  const loaded = moduleNames.length === 0
    ? loadSqlFiles(directory, sqlNames, cache)
    : Effect.zipWith(
      loadSqlFiles(directory, sqlNames, cache),
      Effect.forEach(moduleNames, moduleOf, { concurrency: 32 }),
      (sql, modules) => [...sql, ...modules],
      { concurrent: true }
    )
  return Effect.flatMap(loaded, rejectDuplicates)
}

/**
 * Loads the migration files `names` of `directory` (from `listDirectory`). `.sql` files unchanged since an earlier
 * load in this process come parsed from `cache`.
 */
const loadFiles = (
  directory: string,
  names: ReadonlyArray<string>,
  cache: SqlFileCache = sqlFileCache,
  loadedModules?: LoadedModules
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  loadListed(directory, names, cache, (migration) => migration, loadedModules)

/**
 * The fingerprints (id, timestamp, checksum) of the migration files `names` of `directory`: `.sql` files read but
 * their SQL not validated; modules imported as by `loadFiles`, and given whole. A duplicate id is still an error.
 */
export const loadFingerprints = (
  directory: string,
  names: ReadonlyArray<string>,
  cache: FileCache<MigrationFingerprint> = fingerprintCache
): Effect.Effect<ReadonlyArray<MigrationFingerprint | Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  loadListed<MigrationFingerprint | Migration.Migration>(directory, names, cache, (migration) => migration, undefined)

/** Loads `.sql`, `.ts` and `.js` migrations from a directory (not recursive). */
export const loadDirectory = (
  directory: string,
  cache: SqlFileCache = sqlFileCache,
  loadedModules?: LoadedModules
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.flatMap(listDirectory(directory), (names) => loadFiles(directory, names, cache, loadedModules))

/** Migrations registered in code, e.g. for apps that bundle them. */
export const loadDefinitions = (
  definitions: ReadonlyArray<Migration.MigrationDefinition>
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.forEach(definitions, (definition) => fromDefinition(definition, "code")).pipe(Effect.flatMap(rejectDuplicates))

export const fromDirectory = (directory: string): Layer.Layer<MigrationSource> =>
  Layer.succeed(MigrationSource, { load: loadDirectory(path.resolve(directory)), directory: path.resolve(directory) })

/** The directory named by MIGRATIONS_DIR; modules this run imported already are taken from `loadedModules`. */
export const fromConfigWith = (loadedModules?: LoadedModules): Layer.Layer<MigrationSource, never, MigrationConfig> =>
  Layer.effect(
    MigrationSource,
    Effect.map(MigrationConfig, (settings) => {
      const directory = path.resolve(settings.migrationsDir)
      return { load: loadDirectory(directory, sqlFileCache, loadedModules), directory }
    })
  )

/** The directory named by MIGRATIONS_DIR. */
export const fromConfig: Layer.Layer<MigrationSource, never, MigrationConfig> = fromConfigWith()

export const fromArray = (definitions: ReadonlyArray<Migration.MigrationDefinition>): Layer.Layer<MigrationSource> =>
  Layer.succeed(MigrationSource, { load: loadDefinitions(definitions), directory: undefined })
