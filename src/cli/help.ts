import type { CommandInfo, FlagInfo, ProgramInfo } from "./commandInfo.js"

/** Help a person reads: one line per command and per flag, bold headers only where colour is wanted. */

const program = "effect-migrate"

const table = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.min(32, Math.max(0, ...rows.map(([left]) => left.length)))
  return rows.map(([left, right]) =>
    right === "" ? `  ${left}` : left.length > width ? `  ${left}\n  ${" ".repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`
  )
}

const flagRow = (flag: FlagInfo): readonly [string, string] => [
  flag.value === undefined ? flag.name : `${flag.name} ${flag.value.startsWith("(") ? flag.value : `<${flag.value}>`}`,
  flag.description
]

const header = (text: string, colour: boolean) => (colour ? `\x1b[1m${text}\x1b[0m` : text)

const firstLine = (text: string) => text.split("\n")[0] ?? ""

/** The description's lines after the first: examples and exit codes, as the commands state them. */
const details = (text: string) => text.split("\n").slice(1).map((line) => line.trim()).filter((line) => line !== "")

const isGlobal = (info: ProgramInfo) => (flag: FlagInfo) => info.globals.some((global) => global.name === flag.name)

const builtIns: ReadonlyArray<readonly [string, string]> = [
  ["-h, --help", "show this help (also: effect-migrate help <command>)"],
  ["-v, --version", "print the version"],
  ["--log-level <level>", "only log lines at this level or above: all, trace, debug, info, warning, error, fatal, none"],
  ["--completions <shell>", "print a completion script for bash, zsh or fish"]
]

export const rootHelp = (info: ProgramInfo, version: string, colour: boolean): string => {
  return [
    `${program} ${version}: ${firstLine(info.root.description)}`,
    "",
    header("USAGE", colour),
    `  $ ${program} [command] [options]        (no command: up)`,
    "",
    header("COMMANDS", colour),
    ...table(info.subcommands.map((command) => [command.name, firstLine(command.description)])),
    "",
    header("OPTIONS (every command; each flag overrides its variable)", colour),
    ...table([...info.globals.map(flagRow), ...builtIns]),
    "",
    ...details(info.root.description),
    `Run \`${program} help <command>\` for a command's own options.`
  ].join("\n")
}

export const commandHelp = (info: ProgramInfo, command: CommandInfo, colour: boolean): string => {
  const own = command.flags.filter((flag) => !isGlobal(info)(flag))
  const args = command.args.map((arg) => ` ${arg}`).join("")
  return [
    header("USAGE", colour),
    `  $ ${program} ${command.name}${args} [options]`,
    "",
    firstLine(command.description),
    ...(own.length === 0 ? [] : ["", header("OPTIONS", colour), ...table(own.map(flagRow))]),
    "",
    ...details(command.description),
    `Global options (see ${program} --help): ${info.globals.map((flag) => flag.name).join(" ")}`
  ].join("\n")
}
