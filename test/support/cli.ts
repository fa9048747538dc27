import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"
import { writeFiles } from "./migrationDir.js"

export { writeFiles }

/** The CLI under test, as a user runs it: `dist/cli.js` (built by `npm test`'s pretest), or EFFECT_MIGRATE_CLI. */
export const cliPath = path.resolve(process.env.EFFECT_MIGRATE_CLI ?? "dist/cli.js")

export interface CliResult {
  /** null when the process was ended by a signal. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** stdout and stderr together. */
  readonly output: string
  /** The process was killed by the harness because it ran past its time limit. */
  readonly timedOut: boolean
}

export interface RunningCli {
  readonly child: ChildProcess
  readonly result: Promise<CliResult>
  /** Resolves once stdout or stderr contains `text` (or rejects when the process ends without it). */
  readonly waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>
  /** stdout and stderr so far. */
  readonly output: () => string
}

export interface CliOptions {
  /** Killed (SIGKILL) after this long; 45 s unless said. */
  readonly timeoutMs?: number
  readonly cwd?: string
  /** Under a pseudo-terminal (util-linux `script`): stdout and stderr are TTYs, and come back together as stdout. */
  readonly terminal?: boolean
}

/** Where `terminal: true` can be honoured. */
export const terminalAvailable = existsSync("/usr/bin/script")

const running = new Set<ChildProcess>()

/** Variables of ours, and those that change how output looks, must not leak in from the developer's shell. */
const ourVariables = /^(DATABASE_|MIGRATION|MIGRATIONS_DIR$|RLS_FILE$|LOG_FORMAT$|NO_COLOR$|CI$|PG[A-Z]+$)/

const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !ourVariables.test(key)) env[key] = value
  }
  return env
}

const quote = (part: string) => `'${part.replace(/'/g, "'\\''")}'`

const spawnCli = (args: ReadonlyArray<string>, env: Record<string, string>, options: CliOptions): ChildProcess => {
  const argv = [process.execPath, cliPath, ...args]
  const [command, commandArgs, extra]: [string, Array<string>, Record<string, string>] = options.terminal === true
    ? ["/usr/bin/script", ["-qefc", argv.map(quote).join(" "), "/dev/null"], { TERM: "xterm" }]
    : [argv[0]!, argv.slice(1), {}]
  return spawn(command, commandArgs, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...baseEnv(), ...extra, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
}

/** Starts the CLI with exactly the variables of ours given, killed after `timeoutMs`. */
export const startCli = (args: ReadonlyArray<string>, env: Record<string, string>, options: CliOptions = {}): RunningCli => {
  const child = spawnCli(args, env, options)
  running.add(child)
  let stdout = ""
  let stderr = ""
  let timedOut = false
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of listeners) listener()
  }
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
    notify()
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
    notify()
  })
  const timer = setTimeout(() => {
    timedOut = true
    child.kill("SIGKILL")
  }, options.timeoutMs ?? 45_000)
  const result = new Promise<CliResult>((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      notify()
      resolve({ code, signal, stdout, stderr, output: stdout + stderr, timedOut })
    })
  })
  const waitFor = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === "string" ? (stdout + stderr).includes(text) : text.test(stdout + stderr))
      const check = () => {
        if (matches()) {
          done()
          resolve()
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done()
          reject(new Error(`CLI ended without printing ${String(text)}:\n${stdout}${stderr}`))
        }
      }
      const limit = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`CLI did not print ${String(text)} within ${timeoutMs}ms:\n${stdout}${stderr}`))
      }, timeoutMs)
      const done = () => {
        listeners.delete(check)
        clearTimeout(limit)
      }
      listeners.add(check)
      check()
    })
  return { child, result, waitFor, output: () => stdout + stderr }
}

/** Runs the CLI to its end (see startCli). */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string>, options: CliOptions = {}): Promise<CliResult> =>
  startCli(args, env, options).result

/** Builds dist/ if it is missing, and kills the CLI processes the file left running after its tests. */
export const useCli = () => {
  beforeAll(() => {
    if (!existsSync(cliPath)) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
  })
  afterAll(() => {
    for (const child of running) child.kill("SIGKILL")
    running.clear()
  })
}

/** Temporary directories holding the given files, removed after the file's tests. */
export const useTempDir = (prefix: string) => {
  const dirs: Array<string> = []
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return {
    make: async (files: Record<string, string> = {}): Promise<string> => {
      const dir = await mkdtemp(path.join(tmpdir(), `em-${prefix}-`))
      dirs.push(dir)
      await writeFiles(dir, files)
      return dir
    }
  }
}

/** Parses JSON log lines (LOG_FORMAT=json), ignoring anything else. */
export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return []
    try {
      return [JSON.parse(line) as Record<string, unknown>]
    } catch {
      return []
    }
  })

/** Parses JSON lines, failing on any non-empty line that is not JSON. */
export const strictJsonLines = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

export const errorLines = (text: string) => text.split("\n").filter((line) => line.includes("[ERROR]"))
