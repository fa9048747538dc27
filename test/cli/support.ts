import { execFile, execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll } from "vitest"

/** The real binary, as a user runs it (`npm test`'s pretest builds it; built here if missing). */
export const cliPath = path.resolve("dist/cli.js")

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Variables of ours that must not leak in from the developer's shell. */
const ours = /^(DATABASE_|MIGRATION|MIGRATIONS_DIR$|RLS_FILE$|LOG_FORMAT$|NO_COLOR$|CI$|PG[A-Z]+$)/

const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !ours.test(key)) env[key] = value
  return env
}

/** Runs `node dist/cli.js ...args` with exactly these variables of ours; stdout and stderr are pipes. */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { env: { ...baseEnv(), ...env }, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })

/**
 * Runs the CLI under a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs; returns what the
 * terminal showed. undefined where `script` is not available.
 */
export const cliOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<CliResult> | undefined => {
  if (!existsSync("/usr/bin/script")) return undefined
  const command = [process.execPath, cliPath, ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(" ")
  return new Promise((resolve) => {
    execFile(
      "/usr/bin/script",
      ["-qefc", command, "/dev/null"],
      { env: { ...baseEnv(), TERM: "xterm", ...env }, timeout: 30_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })
}

export const useCli = () => {
  beforeAll(() => {
    if (!existsSync(cliPath)) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
  })
}

/** Temporary directories, removed after the file's tests. */
export const useTempDirs = (prefix: string) => {
  const dirs: Array<string> = []
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
  return async (files: Record<string, string> = {}): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), `em-cli-${prefix}-`))
    dirs.push(dir)
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
    return dir
  }
}

/** Parses JSON lines, failing on any line that is not JSON. */
export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as Record<string, unknown>)
