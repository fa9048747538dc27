import type { CommandInfo, ProgramInfo } from "./commandInfo.js"

/**
 * Completion scripts of our own: @effect/cli's bash script matches `effect__migrate` while setting
 * `cmd="effect-migrate"`, so nothing after a subcommand completed. Each completes the subcommand's own flags.
 */

export const shells = ["bash", "zsh", "fish"] as const
export type Shell = (typeof shells)[number]

const flagNames = (command: CommandInfo) => command.flags.map((flag) => flag.name)
const rootWords = (info: ProgramInfo) => [...info.subcommands.map((c) => c.name), "help", ...flagNames(info.root), "--help", "--version"]
const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`

const bash = (info: ProgramInfo): string => [
  "# effect-migrate completion for bash: source it, or put it in /etc/bash_completion.d/",
  "_effect_migrate() {",
  "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmd=\"\" i",
  "  for ((i = 1; i < COMP_CWORD; i++)); do",
  "    case \"${COMP_WORDS[i]}\" in",
  `      ${info.subcommands.map((c) => c.name).join("|")}) cmd="\${COMP_WORDS[i]}"; break ;;`,
  "    esac",
  "  done",
  "  local words",
  "  case \"$cmd\" in",
  ...info.subcommands.map((c) => `    ${c.name}) words=${quote([...flagNames(c), "--help"].join(" "))} ;;`),
  `    *) words=${quote(rootWords(info).join(" "))} ;;`,
  "  esac",
  "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))",
  "}",
  "complete -F _effect_migrate effect-migrate",
  ""
].join("\n")

const zshEscape = (text: string) => text.replace(/[:\\]/g, (c) => `\\${c}`).replace(/'/g, "'\\''")

const zsh = (info: ProgramInfo): string => {
  const described = (command: CommandInfo) =>
    [...command.flags.map((flag) => `'${flag.name}:${zshEscape(flag.description)}'`), "'--help:show help'"].join(" ")
  return [
    "#compdef effect-migrate",
    "# effect-migrate completion for zsh: put it in a directory of $fpath as _effect-migrate, or source it",
    "_effect_migrate() {",
    `  local -a commands; commands=(${info.subcommands.map((c) => c.name).join(" ")})`,
    "  local cmd=\"\" word",
    "  for word in \"${(@)words[2,CURRENT-1]}\"; do",
    "    if (( ${commands[(Ie)$word]} )); then cmd=$word; break; fi",
    "  done",
    "  local -a items",
    "  case $cmd in",
    ...info.subcommands.map((c) => `    ${c.name}) items=(${described(c)}) ;;`),
    `    *) items=(${
      info.subcommands.map((c) => `'${c.name}:${zshEscape(c.description.split("\n")[0] ?? "")}'`).join(" ")
    } ${described(info.root)}) ;;`,
    "  esac",
    "  _describe 'effect-migrate' items",
    "}",
    "compdef _effect_migrate effect-migrate",
    ""
  ].join("\n")
}

const fish = (info: ProgramInfo): string => {
  const names = info.subcommands.map((c) => c.name).join(" ")
  const flag = (condition: string) => (f: CommandInfo["flags"][number]) =>
    `complete -c effect-migrate -n ${quote(condition)} -l ${f.name.replace(/^--/, "")}${f.value === undefined ? "" : " -r"} -d ${
      quote(f.description)
    }`
  return [
    "# effect-migrate completion for fish: save as ~/.config/fish/completions/effect-migrate.fish",
    "complete -c effect-migrate -f",
    ...info.subcommands.map((c) =>
      `complete -c effect-migrate -n ${quote(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${
        quote(c.description.split("\n")[0] ?? "")
      }`
    ),
    ...info.root.flags.map(flag(`not __fish_seen_subcommand_from ${names}`)),
    ...info.subcommands.flatMap((c) => c.flags.map(flag(`__fish_seen_subcommand_from ${c.name}`))),
    ""
  ].join("\n")
}

export const completionScript = (info: ProgramInfo, shell: Shell): string =>
  shell === "bash" ? bash(info) : shell === "zsh" ? zsh(info) : fish(info)
