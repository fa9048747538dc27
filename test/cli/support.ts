// test/cli's spelling of the one CLI helper (test/support/cli.ts).
import { runCli, strictJsonLines, terminalAvailable, useCli, useTempDir } from "../support/cli.js"

export { useCli }

export interface CliResult {
  /** -1 when the process was ended by a signal (or killed at its time limit). */
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const settled = async (running: ReturnType<typeof runCli>): Promise<CliResult> => {
  const { code, stderr, stdout } = await running
  return { code: code ?? -1, stdout, stderr }
}

/** Runs `node dist/cli.js ...args` with exactly these variables of ours; stdout and stderr are pipes. */
export const cli = (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> =>
  settled(runCli(args, env, { timeoutMs }))

/** Runs the CLI under a pseudo-terminal; returns what the terminal showed. undefined where `script` is not available. */
export const cliOnTerminal = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<CliResult> | undefined =>
  terminalAvailable ? settled(runCli(args, env, { timeoutMs: 30_000, terminal: true })) : undefined

/** Temporary directories, removed after the file's tests. */
export const useTempDirs = (prefix: string) => useTempDir(`cli-${prefix}`).make

/** Parses JSON lines, failing on any line that is not JSON. */
export const jsonLines = strictJsonLines
