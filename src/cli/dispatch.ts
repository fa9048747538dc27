import type { CommandInfo, ProgramInfo } from "./commandInfo.js"

/** What the command line asks for, decided before @effect/cli parses it: help, version and completions are ours. */
export type Dispatch =
  | { readonly _tag: "Help"; readonly command: CommandInfo | undefined }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Completions"; readonly shell: string | undefined }
  | { readonly _tag: "UsageError"; readonly message: string }
  | { readonly _tag: "Run"; readonly args: ReadonlyArray<string> }

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** The closest of `candidates` to a mistyped word, if close enough to be a typo. */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const ranked = candidates.map((candidate) => [candidate, distance(word, candidate)] as const).sort((a, b) => a[1] - b[1])
  const best = ranked[0]
  const prefix = candidates.find((candidate) => candidate.startsWith(word) && word.length >= 3)
  return best !== undefined && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : prefix
}

const didYouMean = (suggestion: string | undefined) => (suggestion === undefined ? "" : `. Did you mean '${suggestion}'?`)

const builtInValued = new Set(["--log-level", "--completions"])

/** `--log-level X` anywhere moves to the front, where @effect/cli reads its built-in options. */
const hoistLogLevel = (args: ReadonlyArray<string>): Array<string> => {
  const front: Array<string> = []
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--log-level" && i + 1 < args.length) front.push(arg, args[++i]!)
    else if (arg.startsWith("--log-level=")) front.push("--log-level", arg.slice("--log-level=".length))
    else rest.push(arg)
  }
  return [...front, ...rest]
}

/** The first flag of `args` that `command` does not take, with a suggestion. */
const unknownFlag = (args: ReadonlyArray<string>, command: CommandInfo, where: string): string | undefined => {
  const flags = command.flags
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return undefined
    if (!arg.startsWith("--")) continue
    const name = arg.split("=")[0]!
    const flag = flags.find((candidate) => candidate.name === name)
    if (builtInValued.has(name)) {
      if (!arg.includes("=")) i++
    } else if (flag === undefined) {
      return `Unknown option '${name}'${where}${didYouMean(closest(name, flags.map((candidate) => candidate.name)))}`
    } else if (flag.value !== undefined && !arg.includes("=")) i++
  }
  return undefined
}

/** Where the first word that is not a flag nor a flag's value is: the subcommand's name, if any. */
const firstWord = (args: ReadonlyArray<string>, root: CommandInfo): number => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith("-")) return i
    const flag = root.flags.find((candidate) => candidate.name === arg)
    if (builtInValued.has(arg) || flag?.value !== undefined) i++
  }
  return -1
}

export const dispatch = (info: ProgramInfo, given: ReadonlyArray<string>): Dispatch => {
  const args = hoistLogLevel(given)
  const subcommand = (name: string | undefined) => info.subcommands.find((command) => command.name === name)
  const start = firstWord(args, info.root)
  const first = start < 0 ? undefined : args[start]
  const positionals = start < 0 ? [] : args.slice(start).filter((arg) => !arg.startsWith("-"))
  if (first === "help") return { _tag: "Help", command: subcommand(positionals[1]) }
  if (args.includes("--help") || args.includes("-h")) return { _tag: "Help", command: subcommand(first) }
  if (args[0] === "version" || args[0] === "--version" || args[0] === "-v") return { _tag: "Version" }
  if (first === "completions") return { _tag: "Completions", shell: positionals[1] }
  const completions = args.findIndex((arg) => arg === "--completions" || arg.startsWith("--completions="))
  if (completions >= 0) {
    const arg = args[completions]!
    return { _tag: "Completions", shell: arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[completions + 1] }
  }
  const command = subcommand(first)
  if (first !== undefined && command === undefined) {
    const names = [...info.subcommands.map((c) => c.name), "help", "version", "completions"]
    return {
      _tag: "UsageError",
      message: `Unknown command '${first}'${didYouMean(closest(first, names))} Commands: ${info.subcommands.map((c) => c.name).join(", ")}`
    }
  }
  const problem = command === undefined
    ? unknownFlag(args, info.root, "")
    : unknownFlag(args.slice(0, start), info.root, "") ?? unknownFlag(args.slice(start + 1), command, ` for ${command.name}`)
  return problem === undefined ? { _tag: "Run", args } : { _tag: "UsageError", message: problem }
}
