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

/** The entries of `name` when it is a folder (followed through symlinks); undefined for anything else. */
const folderEntries = (fs: FileSystem.FileSystem, directory: string, name: string) =>
  fs.stat(path.join(directory, name)).pipe(
    Effect.flatMap((info) => (info.type === "Directory" ? fs.readDirectory(path.join(directory, name)) : Effect.succeed(undefined))),
    Effect.orElseSucceed(() => undefined),
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

/**
 * A file's text, decoded as UTF-8 (see decodeFileText); read through symlinks. Read synchronously rather than through
 * FileSystem.readFile: its open/fstat/read/close each wait for libuv's thread pool, which made loading 1000 files in a
 * fresh process cost several times more CPU (bench/README.md, "reading migration files").
 */
const readText = (file: string): Effect.Effect<string, MigrationLoadError> =>
  Effect.try({ try: () => readFileSync(file), catch: (error) => cannotRead(file, error) }).pipe(
    Effect.flatMap((bytes) => decodeFileText(file, bytes))
  )

/** One migration: a `.sql` file (with its separate down file) parsed, a module imported; its text is the checksum's. */
export const loadEntry = (
  directory: string,
  entry: MigrationEntry
): Effect.Effect<Migration.Migration, MigrationLoadError, FileSystem.FileSystem> => {
  const file = path.join(directory, entry.path)
  if (!entry.path.endsWith(".sql")) {
    return Effect.flatMap(readText(file), (text) =>
      Effect.flatMap(importModule(file, entry.fileName), (module) => migrationFromModule(file, entry.fileName, module, text)))
  }
  const downFile = entry.downPath === undefined ? undefined : path.join(directory, entry.downPath)
  return Effect.all([readText(file), downFile === undefined ? Effect.succeed(undefined) : readText(downFile)]).pipe(
    Effect.flatMap(([text, downText]) =>
      parseSqlMigration({
        file,
        fileName: entry.fileName,
        text,
        id: entry.id,
        down: downFile === undefined || downText === undefined ? undefined : { file: downFile, text: downText }
      })
    )
  )
}

/** Every migration of the listing, each loaded or failed, in the listing's order. */
export const loadEach = (directory: string, entries: ReadonlyArray<MigrationEntry>) =>
  Effect.forEach(entries, (entry) => Effect.either(loadEntry(directory, entry)), { concurrency: 16 }).pipe(
    Effect.map((results) => ({
      migrations: results.filter(Either.isRight).map((result) => result.right),
      failures: results.filter(Either.isLeft).map((result) => result.left)
    }))
  )
