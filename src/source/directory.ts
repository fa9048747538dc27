import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import * as path from "node:path"
import { MigrationLoadError } from "../errors.js"
import type * as Migration from "../migration.js"
import { isMigrationFile } from "./fileName.js"
import { decodeFileText } from "./fileText.js"
import { importModule, migrationFromModule } from "./moduleFile.js"
import { cannotRead, describeCause } from "./readError.js"
import { parseSqlMigration } from "./sqlFile.js"

/** A directory's entries, sorted by name: the migration files, and the others, which are named in a warning. */
export interface DirectoryEntries {
  readonly migrationFiles: ReadonlyArray<string>
  readonly ignored: ReadonlyArray<string>
}

/** Set aside by convention, never mentioned: hidden (a ConfigMap's `..data`), `_`-prefixed, docs and node_modules. */
const quietlySkipped = (name: string) =>
  name.startsWith(".") || name.startsWith("_") || name === "node_modules" || /^(readme|license)\b|\.md$/i.test(name)

const notFound = (error: unknown) =>
  typeof error === "object" && error !== null && "reason" in error && error.reason === "NotFound" ? { code: "ENOENT" } : error

/** Lists a directory (not recursive); file names only, so symlinked files (a ConfigMap volume) count as files. */
export const listEntries = (directory: string): Effect.Effect<DirectoryEntries, MigrationLoadError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(directory)).pipe(
    Effect.mapError((error) =>
      new MigrationLoadError({
        file: directory,
        message: `cannot read migrations directory ${directory}: ${describeCause(notFound(error))}`
      })
    ),
    Effect.map((names) => {
      const sorted = [...names].sort()
      return {
        migrationFiles: sorted.filter(isMigrationFile),
        ignored: sorted.filter((name) => !isMigrationFile(name) && !quietlySkipped(name))
      }
    })
  )

/** A file's text, decoded as UTF-8 (see decodeFileText); read through symlinks. */
const readText = (file: string): Effect.Effect<string, MigrationLoadError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(file)).pipe(
    Effect.mapError((error) => cannotRead(file, notFound(error))),
    Effect.flatMap((bytes) => decodeFileText(file, bytes))
  )

/** One migration file: a `.sql` file parsed, a module imported (tsx only for TypeScript); its text is the checksum's. */
export const loadFile = (
  directory: string,
  fileName: string
): Effect.Effect<Migration.Migration, MigrationLoadError, FileSystem.FileSystem> => {
  const file = path.join(directory, fileName)
  return Effect.flatMap(readText(file), (text) =>
    fileName.endsWith(".sql")
      ? parseSqlMigration(file, fileName, text)
      : Effect.flatMap(importModule(file, fileName), (module) => migrationFromModule(file, fileName, module, text)))
}

/** Every file of the listing, each loaded or failed, in the listing's order. */
export const loadEach = (directory: string, fileNames: ReadonlyArray<string>) =>
  Effect.forEach(fileNames, (name) => Effect.either(loadFile(directory, name)), { concurrency: 16 }).pipe(
    Effect.map((results) => ({
      migrations: results.filter(Either.isRight).map((result) => result.right),
      failures: results.filter(Either.isLeft).map((result) => result.left)
    }))
  )
