import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Context, Effect, Layer } from "effect"
import * as path from "node:path"
import { MigrationConfig } from "../config.js"
import { DuplicateMigrationId, type MigrationLoadError } from "../errors.js"
import * as Events from "../logging/events.js"
import * as Migration from "../migration.js"
import { listEntries, loadEach } from "./directory.js"
import { fromDefinition } from "./moduleFile.js"

/** Everything a source holds, loadable or not: for `status`, which lists what it can. */
export interface SourceListing {
  /** The migrations that loaded, sorted by timestamp then id. */
  readonly migrations: ReadonlyArray<Migration.Migration>
  /** One error per migration file that did not load, naming it. */
  readonly failures: ReadonlyArray<MigrationLoadError>
  /** Entries of the directory that are not migrations (never skipped in silence). */
  readonly ignored: ReadonlyArray<string>
}

export interface MigrationSourceService {
  /**
   * Every registered migration, validated, sorted by timestamp then id; the first file that does not load fails it.
   * Entries that are not migrations are named in a warning.
   */
  readonly load: Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId>
  /** What `load` reads, with every failure instead of the first; fails only when the directory cannot be read. */
  readonly inspect: Effect.Effect<SourceListing, MigrationLoadError>
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

/** A source's `load`, from its `inspect`. */
const loadFrom = (inspect: MigrationSourceService["inspect"], directory: string | undefined): MigrationSourceService["load"] =>
  Effect.gen(function*() {
    const listing = yield* inspect
    if (directory !== undefined) yield* Effect.forEach(listing.ignored, (name) => Events.fileIgnored(directory, name), { discard: true })
    const [failure] = listing.failures
    if (failure !== undefined) return yield* Effect.fail(failure)
    return yield* rejectDuplicates(listing.migrations)
  })

const inspectDirectory = (directory: string) =>
  Effect.gen(function*() {
    const entries = yield* listEntries(directory)
    const { failures, migrations } = yield* loadEach(directory, entries.entries)
    return { migrations: [...migrations].sort(Migration.compare), failures, ignored: entries.ignored } satisfies SourceListing
  })

const directorySource = (directory: string) =>
  Effect.map(FileSystem.FileSystem, (fs): MigrationSourceService => {
    const inspect = Effect.provideService(inspectDirectory(directory), FileSystem.FileSystem, fs)
    return { load: loadFrom(inspect, directory), inspect, directory }
  })

/** Loads `.sql`, `.ts` and `.js` migrations from a directory (not recursive). */
export const loadDirectory = (
  directory: string
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  Effect.flatMap(directorySource(directory), (source) => source.load).pipe(Effect.provide(NodeFileSystem.layer))

/** Migrations registered in code, each validated, the failures apart. */
const inspectDefinitions = (definitions: ReadonlyArray<Migration.MigrationDefinition>) =>
  Effect.map(
    Effect.forEach(definitions, (definition) => Effect.either(fromDefinition(definition, "code"))),
    (results): SourceListing => ({
      migrations: results.flatMap((result) => (result._tag === "Right" ? [result.right] : [])).sort(Migration.compare),
      failures: results.flatMap((result) => (result._tag === "Left" ? [result.left] : [])),
      ignored: []
    })
  )

/** Migrations registered in code, e.g. for apps that bundle them. */
export const loadDefinitions = (
  definitions: ReadonlyArray<Migration.MigrationDefinition>
): Effect.Effect<ReadonlyArray<Migration.Migration>, MigrationLoadError | DuplicateMigrationId> =>
  loadFrom(inspectDefinitions(definitions), undefined)

/** Migration files of a directory, read through Node's file system. */
export const fromDirectory = (directory: string): Layer.Layer<MigrationSource> =>
  Layer.effect(MigrationSource, directorySource(path.resolve(directory))).pipe(Layer.provide(NodeFileSystem.layer))

/** The directory named by MIGRATIONS_DIR. */
export const fromConfig: Layer.Layer<MigrationSource, never, MigrationConfig> = Layer.effect(
  MigrationSource,
  Effect.flatMap(MigrationConfig, (settings) => directorySource(path.resolve(settings.migrationsDir)))
).pipe(Layer.provide(NodeFileSystem.layer))

export const fromArray = (definitions: ReadonlyArray<Migration.MigrationDefinition>): Layer.Layer<MigrationSource> => {
  const inspect = inspectDefinitions(definitions)
  return Layer.succeed(MigrationSource, { load: loadFrom(inspect, undefined), inspect, directory: undefined })
}
