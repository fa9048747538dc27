import { Effect, Schema, type Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** Another process (or another open in this one) has the PGlite data directory. */
export class DataDirectoryLocked extends Schema.TaggedError<DataDirectoryLocked>()("DataDirectoryLocked", {
  dataDir: Schema.String,
  lockFile: Schema.String,
  pid: Schema.Number,
  host: Schema.String,
  since: Schema.optional(Schema.String),
  message: Schema.String
}) {}

/** The lock file could not be written or read (permissions, read-only file system). */
export class DataDirectoryLockError extends Schema.TaggedError<DataDirectoryLockError>()("DataDirectoryLockError", {
  dataDir: Schema.String,
  message: Schema.String
}) {}

export const lockFileName = "effect-migrate.lock"

interface Owner {
  readonly pid: number
  readonly host: string
  readonly since: string
  /** Start time of the process in clock ticks since boot (Linux): tells a reused pid from the owner. */
  readonly processStart?: string | undefined
  readonly bootId?: string | undefined
  readonly token: string
}

export interface StaleLock {
  readonly pid: number
  readonly host: string
  readonly since: string | undefined
}

export interface HeldLock {
  readonly dataDir: string
  readonly lockFile: string
  /** Set when a lock left by a dead process was taken over. */
  readonly replaced: StaleLock | undefined
  /** Identifies this holder's lock file, so release never deletes another holder's. */
  readonly token: string
}

/** Directories this process holds: PGlite opened twice in one process loses writes just the same. */
const heldHere = new Set<string>()

const readOptional = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8").trim()
  } catch {
    return undefined
  }
}

const processStartOf = (pid: number): string | undefined => {
  const stat = readOptional(`/proc/${pid}/stat`)
  // Fields after the command name (which may hold spaces); starttime is field 22 of the whole line.
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19]
}

const bootId = (): string | undefined => readOptional("/proc/sys/kernel/random/boot_id")

const parseOwner = (text: string | undefined): Owner | undefined => {
  if (text === undefined || text === "") return undefined
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== "object" || value === null) return undefined
    const record = value as Record<string, unknown>
    if (typeof record.pid !== "number" || typeof record.host !== "string" || typeof record.token !== "string") return undefined
    return {
      pid: record.pid,
      host: record.host,
      since: typeof record.since === "string" ? record.since : "",
      processStart: typeof record.processStart === "string" ? record.processStart : undefined,
      bootId: typeof record.bootId === "string" ? record.bootId : undefined,
      token: record.token
    }
  } catch {
    return undefined
  }
}

/** Whether the owner may still be running; a lock from another host is assumed live (its pid cannot be checked). */
const isAlive = (owner: Owner): boolean => {
  if (owner.host !== os.hostname()) return true
  // Our own pid without our own registration: a previous run in a container that restarted with the same pid.
  if (owner.pid === process.pid) return false
  const currentBoot = bootId()
  if (owner.bootId !== undefined && currentBoot !== undefined && owner.bootId !== currentBoot) return false
  try {
    process.kill(owner.pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
  const start = processStartOf(owner.pid)
  return owner.processStart === undefined || start === undefined || start === owner.processStart
}

const describeOwner = (owner: Owner) =>
  `process ${owner.pid}${owner.host === os.hostname() ? "" : ` on host ${owner.host}`}${owner.since === "" ? "" : ` since ${owner.since}`}`

const lockedError = (dataDir: string, lockFile: string, owner: Owner, sameProcess: boolean) =>
  new DataDirectoryLocked({
    dataDir,
    lockFile,
    pid: owner.pid,
    host: owner.host,
    since: owner.since === "" ? undefined : owner.since,
    message: sameProcess
      ? `PGlite data directory ${dataDir} is already open in this process (pid ${owner.pid}); PGlite has one session: ` +
        `close the first connection (e.g. build MigrationsLayer before the app's database layer) or share one SqlClient layer`
      : `PGlite data directory ${dataDir} is in use by ${describeOwner(owner)}; PGlite allows one process per directory, ` +
        `a second one would lose writes. Stop that process, or use another directory` +
        (owner.host === os.hostname() ? "" : `; if it is no longer running, delete ${lockFile}`)
  })

const ioError = (dataDir: string, action: string) => (cause: unknown) =>
  new DataDirectoryLockError({
    dataDir,
    message: `cannot ${action} for PGlite data directory ${dataDir}: ${cause instanceof Error ? cause.message : String(cause)}`
  })

const errnoCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code

/** Creates the lock file with its content in one step: `link` fails when the file exists, so no reader sees it half-written. */
const tryCreate = (lockFile: string, owner: Owner): boolean => {
  const staging = `${lockFile}.${owner.pid}.${owner.token.slice(0, 8)}`
  fs.writeFileSync(staging, JSON.stringify(owner) + "\n", { mode: 0o644 })
  try {
    fs.linkSync(staging, lockFile)
    return true
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false
    throw error
  } finally {
    fs.rmSync(staging, { force: true })
  }
}

/**
 * Moves a stale lock aside and deletes it only if it is still the one judged stale; a fresh lock taken by
 * a racing process in between is linked back.
 */
const removeStale = (lockFile: string, staleText: string | undefined, token: string) => {
  const aside = `${lockFile}.stale.${token.slice(0, 8)}`
  try {
    fs.renameSync(lockFile, aside)
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return
    throw error
  }
  if (readOptional(aside) === staleText) {
    fs.rmSync(aside, { force: true })
    return
  }
  try {
    fs.linkSync(aside, lockFile)
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error
  } finally {
    fs.rmSync(aside, { force: true })
  }
}

const acquireSync = (dataDir: string): HeldLock | DataDirectoryLocked => {
  fs.mkdirSync(dataDir, { recursive: true })
  const lockFile = path.join(dataDir, lockFileName)
  const owner: Owner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    processStart: processStartOf(process.pid),
    bootId: bootId(),
    token: randomUUID()
  }
  if (heldHere.has(dataDir)) return lockedError(dataDir, lockFile, owner, true)
  let replaced: StaleLock | undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockFile, owner)) {
      heldHere.add(dataDir)
      return { dataDir, lockFile, replaced, token: owner.token }
    }
    const text = readOptional(lockFile)
    if (text === undefined) continue
    const holder = parseOwner(text)
    if (holder !== undefined && isAlive(holder)) return lockedError(dataDir, lockFile, holder, false)
    replaced = holder === undefined
      ? { pid: 0, host: "unknown", since: undefined }
      : { pid: holder.pid, host: holder.host, since: holder.since === "" ? undefined : holder.since }
    removeStale(lockFile, text, owner.token)
  }
  const holder = parseOwner(readOptional(lockFile))
  return lockedError(dataDir, lockFile, holder ?? { ...owner, pid: 0, host: "unknown", since: "" }, false)
}

const releaseSync = (held: HeldLock) => {
  heldHere.delete(held.dataDir)
  if (parseOwner(readOptional(held.lockFile))?.token !== held.token) return
  try {
    fs.rmSync(held.lockFile, { force: true })
  } catch {
    // Left behind, the file names a dead process: the next open takes it over.
  }
}

/**
 * Holds an exclusive lock file in a PGlite data directory (created if missing) until the scope closes.
 * PGlite does not lock its directory: two processes would both open it and one's writes would be lost.
 * A lock whose process is gone (same host, pid dead or reused) is taken over; if this process exits
 * without closing the scope, an exit hook removes the file.
 */
export const acquire = (
  dataDir: string
): Effect.Effect<HeldLock, DataDirectoryLocked | DataDirectoryLockError, Scope.Scope> => {
  const directory = path.resolve(dataDir)
  return Effect.acquireRelease(
    Effect.try({ try: () => acquireSync(directory), catch: ioError(directory, "take the lock file") }).pipe(
      Effect.flatMap((result) => (result instanceof DataDirectoryLocked ? Effect.fail(result) : Effect.succeed(result))),
      Effect.map((held) => {
        const onExit = () => releaseSync(held)
        process.once("exit", onExit)
        return { held, onExit }
      })
    ),
    ({ held, onExit }) =>
      Effect.sync(() => {
        process.off("exit", onExit)
        releaseSync(held)
      })
  ).pipe(Effect.map(({ held }) => held))
}
