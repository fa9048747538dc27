import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { MigrationLoadError } from "../errors.js"
import type * as Migration from "../migration.js"
import { migrationExtensions } from "./fileName.js"
import { decodeFileText } from "./fileText.js"
import { classify, type DirectoryLayout, type MigrationEntry, quietlySkipped } from "./layout.js"
import { importModule, migrationFromModule } from "./moduleFile.js"
import { cannotRead, describeCause } from "./readError.js"
import { parseSqlMigration } from "./sqlFile.js"

const notFound = (error: unknown) =>
  typeof error === "object" && error !== null && "reason" in error && error.reason === "NotFound" ? { code: "ENOENT" } : error

/** A name that may be a folder (diesel, Prisma): not a file of a known kind, not set aside. */
const mayBeFolder = (name: string) =>
  !quietlySkipped(name) && !migrationExtensions.some((extension) => name.endsWith(extension))

/**
 * The entries of `name` when it is a folder (followed through symlinks); undefined for anything else, a dangling
 * symlink included. A folder that cannot be read (EACCES, EIO) fails, naming it, rather than its migrations vanishing.
 */
const folderEntries = (fs: FileSystem.FileSystem, directory: string, name: string) =>
  fs.stat(path.join(directory, name)).pipe(
    Effect.flatMap((info) => (info.type === "Directory" ? fs.readDirectory(path.join(directory, name)) : Effect.succeed(undefined))),
    Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.succeed(undefined)),
    Effect.mapError((error) => cannotRead(path.join(directory, name), error)),
    Effect.map((entries) => [name, entries] as const)
  )

/** Lists a directory and the folders in it, and sorts what it finds by layout (see `classify`). */
export const listEntries = (directory: string): Effect.Effect<DirectoryLayout, MigrationLoadError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const names = yield* fs.readDirectory(directory).pipe(
      Effect.mapError((error) =>
        new MigrationLoadError({
          file: directory,
          message: `cannot read migrations directory ${directory}: ${describeCause(notFound(error))}`
        })
      )
    )
    const folders = yield* Effect.forEach(names.filter(mayBeFolder), (name) => folderEntries(fs, directory, name), {
      concurrency: 16
    })
    const found = new Map<string, ReadonlyArray<string>>()
    for (const [name, entries] of folders) if (entries !== undefined) found.set(name, entries)
    return classify(names, found)
  })

/** A migration file's bytes as UTF-8 text (see decodeFileText), read through symlinks. */
export const readText = (file: string): Either.Either<string, MigrationLoadError> => {
  try {
    return decodeFileText(file, readFileSync(file))
  } catch (error) {
    return Either.left(cannotRead(file, error))
  }
}

/** A `.sql` migration (with its separate down file, if any), parsed; its text is the checksum's. */
const loadSqlEntry = (directory: string, entry: MigrationEntry): Either.Either<Migration.Migration, MigrationLoadError> => {
  const file = path.join(directory, entry.path)
  const downFile = entry.downPath === undefined ? undefined : path.join(directory, entry.downPath)
  return Either.flatMap(readText(file), (text) =>
    Either.flatMap(downFile === undefined ? Either.right(undefined) : readText(downFile), (downText) =>
      parseSqlMigration({
        file,
        fileName: entry.fileName,
        text,
        id: entry.id,
        down: downFile === undefined || downText === undefined ? undefined : { file: downFile, text: downText }
      })))
}

/** A migration module, imported; its text is the checksum's. */
const loadModuleEntry = (directory: string, entry: MigrationEntry) => {
  const file = path.join(directory, entry.path)
  return Effect.flatMap(readText(file), (text) =>
    Effect.flatMap(importModule(file, entry.fileName), (module) => migrationFromModule(file, entry.fileName, module, text)))
}

const isSql = (entry: MigrationEntry) => entry.path.endsWith(".sql")

/** One migration: a `.sql` file parsed, a module imported. */
export const loadEntry = (directory: string, entry: MigrationEntry): Effect.Effect<Migration.Migration, MigrationLoadError> =>
  isSql(entry) ? loadSqlEntry(directory, entry) : loadModuleEntry(directory, entry)

/** Every migration of the listing, each loaded or failed, in the listing's order. */
export const loadEach = (directory: string, entries: ReadonlyArray<MigrationEntry>) =>
  Effect.gen(function*() {
    // `.sql` files in one synchronous pass (reading and parsing need no fiber each); then the modules are imported.
    const results = yield* Effect.sync(() => entries.map((entry) => isSql(entry) ? loadSqlEntry(directory, entry) : undefined))
    const modules = entries.flatMap((entry, i) => isSql(entry) ? [] : [{ entry, i }])
    yield* Effect.forEach(modules, ({ entry, i }) =>
      Effect.map(Effect.either(loadModuleEntry(directory, entry)), (result) => {
        results[i] = result
      }), { concurrency: 16, discard: true })
    const loaded = results.filter((result) => result !== undefined)
    return {
      migrations: loaded.filter(Either.isRight).map((result) => result.right),
      failures: loaded.filter(Either.isLeft).map((result) => result.left)
    }
  })
