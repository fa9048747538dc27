import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Context, Effect, Layer } from "effect"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import { DuplicateMigrationId, MigrationLoadError } from "../errors.js"
import * as Migration from "../migration.js"
import { decodeFileText } from "./fileText.js"
import { isMigrationFile } from "./fileName.js"
import { fromDefinition, importModule, migrationFromModule } from "./moduleFile.js"
import { cannotRead, describeCause } from "./readError.js"
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

/** The migration files of a directory (not recursive), sorted by name. */
const listDirectory = (directory: string): Effect.Effect<ReadonlyArray<string>, MigrationLoadError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(directory)).pipe(
    Effect.mapError((error) =>
      new MigrationLoadError({
        file: directory,
        message: `cannot read migrations directory ${directory}: ${describeCause(error._tag === "SystemError" && error.reason === "NotFound" ? { code: "ENOENT" } : error)}`
      })
    ),
    Effect.map((names) => names.filter(isMigrationFile).sort())
  )

/** A file's text, decoded as UTF-8 (see decodeFileText). */
const readText = (file: string): Effect.Effect<string, MigrationLoadError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(file)).pipe(
    Effect.mapError((error) => cannotRead(file, error._tag === "SystemError" && error.reason === "NotFound" ? { code: "ENOENT" } : error)),
    Effect.flatMap((bytes) => decodeFileText(file, bytes))
  )

/** One migration file: a `.sql` file parsed, a module imported (tsx only for TypeScript); its text is the checksum's. */
const loadFile = (directory: string, fileName: string) => {
  const file = path.join(directory, fileName)
  return Effect.flatMap(readText(file), (text) =>
    fileName.endsWith(".sql")
      ? parseSqlMigration(file, fileName, text)
      : Effect.flatMap(importModule(file, fileName), (module) => migrationFromModule(file, fileName, module, text)))
}

const loadFiles = (directory: string) =>
  listDirectory(directory).pipe(
    Effect.flatMap((names) => Effect.forEach(names, (name) => loadFile(directory, name), { concurrency: 16 })),
    Effect.flatMap(rejectDuplicates)
  )

/** Loads `.sql`, `.ts` and `.js` migrations from a directory (not recursive). */
export const loadDirectory = (
  directory: string
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.provide(loadFiles(directory), NodeFileSystem.layer)

/** Migrations registered in code, e.g. for apps that bundle them. */
export const loadDefinitions = (
  definitions: ReadonlyArray<Migration.MigrationDefinition>
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.forEach(definitions, (definition) => fromDefinition(definition, "code")).pipe(Effect.flatMap(rejectDuplicates))

const directorySource = (directory: string) =>
  Effect.map(FileSystem.FileSystem, (fs): MigrationSourceService => ({
    load: Effect.provideService(loadFiles(directory), FileSystem.FileSystem, fs),
    directory
  }))

/** Migration files of a directory, read through Node's file system. */
export const fromDirectory = (directory: string): Layer.Layer<MigrationSource> =>
  Layer.effect(MigrationSource, directorySource(path.resolve(directory))).pipe(Layer.provide(NodeFileSystem.layer))

/** The directory named by MIGRATIONS_DIR. */
export const fromConfig: Layer.Layer<MigrationSource, never, MigrationConfig> = Layer.effect(
  MigrationSource,
  Effect.flatMap(MigrationConfig, (settings) => directorySource(path.resolve(settings.migrationsDir)))
).pipe(Layer.provide(NodeFileSystem.layer))

export const fromArray = (definitions: ReadonlyArray<Migration.MigrationDefinition>): Layer.Layer<MigrationSource> =>
  Layer.succeed(MigrationSource, { load: loadDefinitions(definitions), directory: undefined })
