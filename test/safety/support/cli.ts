import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"

/** The CLI under test: `dist/cli.js` (built by `npm test`'s pretest), or EFFECT_MIGRATE_CLI. */
export const cliPath = path.resolve(process.env.EFFECT_MIGRATE_CLI ?? "dist/cli.js")

export interface CliResult {
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

const running = new Set<ChildProcess>()

/** Variables of ours that must not leak from the developer's shell into a spawned CLI. */
const ourVariables = /^(DATABASE_|MIGRATION|MIGRATIONS_DIR$|RLS_FILE$|LOG_FORMAT$|PG[A-Z]+$)/

/** Starts the CLI with exactly the variables given (plus PATH/HOME), killed after `timeoutMs`. */
export const startCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly timeoutMs?: number; readonly cwd?: string } = {}
): RunningCli => {
  const base: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !ourVariables.test(key)) base[key] = value
  }
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...base, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  running.add(child)
  let stdout = ""
  let stderr = ""
  let timedOut = false
  const listeners = new Set<() => void>()
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
    for (const listener of listeners) listener()
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
    for (const listener of listeners) listener()
  })
  const timer = setTimeout(() => {
    timedOut = true
    child.kill("SIGKILL")
  }, options.timeoutMs ?? 45_000)
  const result = new Promise<CliResult>((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      for (const listener of listeners) listener()
      resolve({ code, signal, stdout, stderr, output: stdout + stderr, timedOut })
    })
  })
  const waitFor = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === "string" ? (stdout + stderr).includes(text) : text.test(stdout + stderr))
      const done = () => {
        listeners.delete(check)
        clearTimeout(limit)
      }
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
      listeners.add(check)
      check()
    })
  return { child, result, waitFor, output: () => stdout + stderr }
}

export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: { readonly timeoutMs?: number; readonly cwd?: string } = {}
): Promise<CliResult> => startCli(args, env, options).result

/** Kills every CLI this file started that is still running. */
export const killLeftovers = () => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}

/** Builds dist/ if it is missing, and kills leftover CLI processes after the file's tests. */
export const useCli = () => {
  beforeAll(() => {
    if (!existsSync(cliPath)) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
  })
  afterAll(killLeftovers)
}

/** A temporary directory of migration files, removed after the file's tests. */
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

export const writeFiles = async (dir: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
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

export const errorLines = (text: string) => text.split("\n").filter((line) => line.includes("[ERROR]"))
