import { CliConfig, type Command, CommandDescriptor, type HelpDoc, type Usage } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"
import { Option } from "effect"

/** What help, completions and typo suggestions need to know of a command, read from @effect/cli's own descriptor. */
export interface FlagInfo {
  readonly name: string
  /** The value's placeholder or choices; undefined for a switch. */
  readonly value: string | undefined
  readonly description: string
}

export interface CommandInfo {
  readonly name: string
  readonly description: string
  readonly args: ReadonlyArray<string>
  readonly flags: ReadonlyArray<FlagInfo>
}

export interface ProgramInfo {
  readonly root: CommandInfo
  /** The flags every command takes. */
  readonly globals: ReadonlyArray<FlagInfo>
  readonly subcommands: ReadonlyArray<CommandInfo>
}

const helpConfig = CliConfig.make({ showBuiltIns: false })

export const spanText = (span: Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
  }
}

/** Sentences @effect/cli adds to every option of a type: they say nothing about our flags. */
const boilerplate = /^(A user-defined piece of text\.|An integer\.|A true or false value\.|A floating point number\.|This setting is optional\.|This option can be set from environment variables\.|One of the following:)/

/** The paragraphs of a help document, in order, as lines. */
export const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Header":
    case "Paragraph":
      return [spanText(doc.value)]
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(paragraphs)
    case "DescriptionList":
      return doc.definitions.flatMap(([term, body]) => [spanText(term), ...paragraphs(body)])
  }
}

/** Each description list of the document, keyed by its terms' flag names (`--steps`), its text without boilerplate. */
const descriptions = (doc: HelpDoc.HelpDoc, into: Map<string, string>): Map<string, string> => {
  if (doc._tag === "Sequence") {
    descriptions(doc.left, into)
    descriptions(doc.right, into)
  } else if (doc._tag === "DescriptionList") {
    for (const [term, body] of doc.definitions) {
      const text = paragraphs(body).flatMap((line) => line.split("\n")).map((line) => line.trim())
        .filter((line) => line !== "" && !boilerplate.test(line)).join(" ")
      for (const token of spanText(term).replace(/[(),]/g, " ").split(/\s+/)) if (token !== "") into.set(token, text)
    }
  }
  return into
}

const named = (usage: Usage.Usage): Array<Usage.Named> => {
  switch (usage._tag) {
    case "Named":
      return [usage]
    case "Optional":
    case "Repeated":
      return named(usage.usage)
    case "Alternation":
    case "Concat":
      return [...named(usage.left), ...named(usage.right)]
    default:
      return []
  }
}

/** The text under the DESCRIPTION header of a command's help. */
const descriptionOf = (doc: HelpDoc.HelpDoc): string => {
  const lines = paragraphs(doc)
  const start = lines.indexOf("DESCRIPTION")
  return start < 0 ? "" : lines[start + 1] ?? ""
}

/** A value computed on first use and kept. */
const memo = <A>(compute: () => A): () => A => {
  let value: { readonly current: A } | undefined
  return () => (value ??= { current: compute() }).current
}

/**
 * Names and flags are read from the usage (every run checks the arguments against them); descriptions come from the
 * rendered help, built only when help, completions or a description is asked for (rendering every command's help
 * cost about 30 ms of each start).
 */
const commandInfo = <A>(command: CommandDescriptor.Command<A>): CommandInfo => {
  const doc = memo(() => CommandDescriptor.getHelp(command, helpConfig))
  const texts = memo(() => descriptions(doc(), new Map()))
  const name = [...CommandDescriptor.getNames(command)][0] ?? ""
  const usage = named(CommandDescriptor.getUsage(command)).filter((entry) => !entry.names.includes(name))
  const flags = usage.filter((entry) => entry.names.some((n) => n.startsWith("-"))).map((entry): FlagInfo => {
    const flag = entry.names.find((n) => n.startsWith("--")) ?? entry.names[0]!
    return {
      name: flag,
      value: Option.getOrUndefined(entry.acceptedValues),
      get description() {
        return texts().get(flag) ?? ""
      }
    }
  })
  const args = usage.filter((entry) => !entry.names.some((n) => n.startsWith("-"))).flatMap((entry) => entry.names)
  return {
    name,
    get description() {
      return descriptionOf(doc())
    },
    args,
    flags
  }
}

/** Read from the commands as the program defines them: `base` is the root without its subcommands, `globals` a command of the global flags. */
export const programInfo = <N extends string, R, E, A>(parts: {
  readonly root: Command.Command<N, R, E, A>
  readonly base: { readonly descriptor: CommandDescriptor.Command<unknown> }
  readonly subcommands: ReadonlyArray<{ readonly descriptor: CommandDescriptor.Command<unknown> }>
  readonly globals: { readonly descriptor: CommandDescriptor.Command<unknown> }
}): ProgramInfo => {
  const base = commandInfo(parts.base.descriptor)
  const root = memo(() => commandInfo(parts.root.descriptor))
  return {
    // Not a spread of `base`: that would read its description, rendering help at every start.
    root: {
      name: base.name,
      get description() {
        return root().description
      },
      args: base.args,
      flags: base.flags
    },
    globals: commandInfo(parts.globals.descriptor).flags,
    subcommands: parts.subcommands.map((command) => commandInfo(command.descriptor))
  }
}
