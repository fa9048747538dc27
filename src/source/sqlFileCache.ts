import { Either } from "effect"
import { readFileSync, type Stats, statSync } from "node:fs"
import * as path from "node:path"
import type { MigrationLoadError } from "../errors.js"
import type { Migration } from "../migration.js"
import { cannotRead } from "./readError.js"
import { type MigrationFingerprint, parseSqlMigration, sqlFingerprint } from "./sqlFile.js"

/**
 * A per-process cache of what was read from `.sql` files (parsed migrations, or their fingerprints), so that
 * building the migrations layer again (tests, an app that rebuilds its layers, a long-running process) costs one
 * `stat` per file instead of a read and a parse.
 *
 * A file is reused only when its stat matches the one taken just before it was read: device, inode, size,
 * mtime and ctime (ms as doubles: a fraction of a µs at today's dates). Like git's index, the cache distrusts "racy" entries: a file whose mtime
 * or ctime is not at least `racyMarginNs` older than the moment it was read could be changed again within the
 * same timestamp tick without its stat changing, so it is not kept and is read again next time. The clock is
 * the system's, which is also what a local filesystem stamps files with; the margin covers its coarse ticks.
 * ctime cannot be set back by `touch` or `cp -p`, so restoring an mtime after an edit is still seen.
 */
export interface SqlFileCacheOptions {
  /** Now, in ns since the epoch. */
  readonly now?: () => bigint
  readonly racyMarginNs?: bigint
  /** Directories remembered at once; the least recently loaded is forgotten first. */
  readonly maxDirectories?: number
  /**
   * From which load of a directory in this process its files are stat'ed and kept (default 2). A process that loads
   * a directory once (the CLI, most apps) would only pay the stats; from the second load on they save the reads.
   */
  readonly cacheFromLoad?: number
}

/** What a file is recognised by: the stat fields that change when it is edited or replaced. */
interface FileKey {
  readonly dev: number
  readonly ino: number
  readonly size: number
  readonly mtimeMs: number
  readonly ctimeMs: number
}

interface CachedFile<A> {
  readonly key: FileKey
  readonly value: A
}

interface CachedDirectory<A> {
  readonly names: ReadonlyArray<string>
  readonly files: Map<string, CachedFile<A>>
  /** Loads of this directory so far, this one included. */
  loads: number
}

// Numbers, not bigints: a quarter cheaper per file, and a double's ms tell apart changes far closer than the racy margin.
const statOptions = { throwIfNoEntry: false } as const
// An options object rather than "utf8": Node then skips copying its defaults on every call (~15% of a cold read).
const readOptions = { encoding: "utf8" } as const

const sameFile = (key: FileKey, stat: Stats): boolean =>
  key.ino === stat.ino && key.size === stat.size && key.mtimeMs === stat.mtimeMs && key.ctimeMs === stat.ctimeMs &&
  key.dev === stat.dev

/** Kept instead of the whole stat (its Dates and a dozen other fields) for every file of every remembered directory. */
const keyOf = ({ ctimeMs, dev, ino, mtimeMs, size }: Stats): FileKey => ({ dev, ino, size, mtimeMs, ctimeMs })

/** A cached migration is handed to every later load: frozen, so no caller can change what the next one gets. */
const frozenMigration = (migration: Migration): Migration => {
  Object.freeze(migration.up)
  if (migration.down !== undefined) Object.freeze(migration.down)
  return Object.freeze(migration)
}

const sameNames = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** One load of a directory's `.sql` files, file by file, so the caller can give the event loop turns in between. */
export interface SqlDirectoryLoad<A> {
  /** Loads `names[index]`. */
  readonly load: (index: number) => Either.Either<A, MigrationLoadError>
}

/** Reads a file's text into what the cache keeps. */
export type SqlFileReader<A> = (file: string, fileName: string, text: string) => Either.Either<A, MigrationLoadError>

/** How a cache reads a file, and freezes what it keeps. */
export interface SqlFileReading<A> {
  readonly read: SqlFileReader<A>
  readonly freeze: (value: A) => A
}

export class FileCache<A> {
  /** Files read (and parsed) and files reused, since this cache was made: for tests and measurements. */
  readonly counts = { read: 0, reused: 0 }
  readonly #directories = new Map<string, CachedDirectory<A>>()
  readonly #read: SqlFileReader<A>
  readonly #freeze: (value: A) => A
  readonly #now: () => bigint
  readonly #racyMarginNs: bigint
  readonly #maxDirectories: number
  readonly #cacheFromLoad: number

  constructor(reading: SqlFileReading<A>, options: SqlFileCacheOptions = {}) {
    this.#read = reading.read
    this.#freeze = reading.freeze
    this.#now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n)
    this.#racyMarginNs = options.racyMarginNs ?? 2_000_000_000n
    this.#maxDirectories = options.maxDirectories ?? 16
    this.#cacheFromLoad = options.cacheFromLoad ?? 2
  }

  /** Starts loading `names` (file names from one listing of `directory`). */
  open(directory: string, names: ReadonlyArray<string>): SqlDirectoryLoad<A> {
    const entry = this.#entryOf(directory, names)
    entry.loads++
    const files = entry.files
    // Taken before any file is read: an entry is trusted only if its file was last changed well before this.
    const trustedBeforeMs = Number(this.#now() - this.#racyMarginNs) / 1e6
    // path.join(directory, name) for a plain file name, without normalising the directory once per file.
    const joined = path.join(directory, "_")
    const prefix = joined.slice(0, joined.length - 1)
    const counts = this.counts
    // Before the directory's cacheFromLoad-th load, files are only read: nothing is stat'ed, looked up or kept.
    const caching = entry.loads >= this.#cacheFromLoad
    return {
      load: (index) => {
        const fileName = names[index]!
        const file = prefix + fileName
        let stat: Stats | undefined
        if (caching) {
          try {
            stat = statSync(file, statOptions)
          } catch {
            // Not cached; reading it fails, or not, and says why in the words it always has.
            stat = undefined
          }
        }
        const cached = files.get(fileName)
        if (cached !== undefined && stat !== undefined && sameFile(cached.key, stat)) {
          counts.reused++
          return Either.right(cached.value)
        }
        // Read after the stat: what is read is never older than the stat it is filed under.
        let text: string
        try {
          text = readFileSync(file, readOptions)
        } catch (cause) {
          files.delete(fileName)
          return Either.left(cannotRead(file, cause))
        }
        counts.read++
        const parsed = this.#read(file, fileName, text)
        if (Either.isRight(parsed) && stat !== undefined && stat.mtimeMs < trustedBeforeMs && stat.ctimeMs < trustedBeforeMs) {
          files.set(fileName, { key: keyOf(stat), value: this.#freeze(parsed.right) })
        } else {
          files.delete(fileName)
        }
        return parsed
      }
    }
  }

  /** The directory's entries; when its list of files changed, only those of files still listed are kept. */
  #entryOf(directory: string, names: ReadonlyArray<string>): CachedDirectory<A> {
    const previous = this.#directories.get(directory)
    this.#directories.delete(directory)
    let current: CachedDirectory<A>
    if (previous !== undefined && sameNames(previous.names, names)) {
      current = previous
    } else {
      const files = new Map<string, CachedFile<A>>()
      if (previous !== undefined) {
        for (const name of names) {
          const kept = previous.files.get(name)
          if (kept !== undefined) files.set(name, kept)
        }
      }
      current = { names: [...names], files, loads: previous?.loads ?? 0 }
    }
    this.#directories.set(directory, current)
    for (const oldest of this.#directories.keys()) {
      if (this.#directories.size <= this.#maxDirectories) break
      this.#directories.delete(oldest)
    }
    return current
  }
}

/** Parsed and validated migrations. */
export class SqlFileCache extends FileCache<Migration> {
  constructor(options: SqlFileCacheOptions = {}) {
    super({ read: parseSqlMigration, freeze: frozenMigration }, options)
  }
}

/** The cache `loadDirectory` uses. */
export const sqlFileCache = new SqlFileCache()

/** Fingerprints only (`sqlFingerprint`): the cache the up-to-date check uses. */
export const fingerprintCache = new FileCache<MigrationFingerprint>({ read: sqlFingerprint, freeze: Object.freeze })
