import { Command, Options } from "@effect/cli"
import { Config, Console, Effect, Option } from "effect"
import { type MigrationStatus, type StatusReport, statusOf, summaryLine } from "../../status.js"
import { live, runCommand } from "../environment.js"
import { Reported } from "../exitCode.js"
import { globalOptions } from "../globalOptions.js"
import { readPlan } from "../state.js"

const statusOptions = {
  ...globalOptions,
  json: Options.boolean("json").pipe(Options.withDescription("print JSON for machines")),
  check: Options.boolean("check").pipe(
    Options.withDescription("exit 1 when anything is pending, failed, changed or missing")
  )
}

const colours: Record<MigrationStatus["state"], string> = {
  applied: "\x1b[32m",
  pending: "\x1b[33m",
  failed: "\x1b[31m",
  changed: "\x1b[35m",
  missing: "\x1b[31m"
}

export const renderTable = (status: StatusReport, colour: boolean): string => {
  const header = ["ID", "NAME", "STATUS", "APPLIED AT", "DURATION"]
  const rows = status.migrations.map((migration) => [
    migration.id,
    migration.name,
    migration.state,
    migration.appliedAt ?? "-",
    migration.durationMs === null ? "-" : `${migration.durationMs}ms`
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: ReadonlyArray<string>, state?: MigrationStatus["state"]) =>
    cells.map((cell, column) => {
      const padded = cell.padEnd(widths[column]!)
      return colour && column === 2 && state !== undefined ? `${colours[state]}${padded}\x1b[0m` : padded
    }).join("  ").trimEnd()
  const lines = [line(header), ...rows.map((row, index) => line(row, status.migrations[index]!.state))]
  for (const migration of status.migrations) {
    if (migration.state === "failed" && migration.error !== null) {
      lines.push(`${migration.id}: ${migration.error.split("\n")[0]}`)
    }
  }
  lines.push("", summaryLine(status.summary))
  return lines.join("\n")
}

/** Reads the migrations and the journal, without taking the lock or changing anything. */
export const readStatus = Effect.map(readPlan, statusOf)

/** Colour on a terminal, unless NO_COLOR is set. */
const colourWanted = Config.option(Config.string("NO_COLOR")).pipe(
  Effect.map((noColor) => process.stdout.isTTY === true && Option.isNone(noColor)),
  // Reading a plain string cannot be invalid; a provider that fails to read means plain output.
  Effect.orElseSucceed(() => false)
)

export const statusCommand = Command.make("status", statusOptions, (options) =>
  runCommand(options, { command: "status", logToStderr: true }, (settings) =>
    Effect.gen(function*() {
      const status = yield* live(readStatus)
      yield* Console.log(
        options.json
          ? JSON.stringify({ schema: settings.schema, ...status }, null, 2)
          : renderTable(status, yield* colourWanted)
      )
      // The output shows what is not up to date.
      if (options.check && !status.upToDate) {
        return yield* new Reported({ tag: "NotUpToDate", message: summaryLine(status.summary) })
      }
    }))).pipe(
    Command.withDescription(
      "Show every migration on disk or in the journal: applied, pending, failed, changed or missing.\n" +
        "Examples: effect-migrate status   |   effect-migrate status --json   |   " +
        "effect-migrate status --check   (exit 1 when anything is pending, failed, changed or missing)"
    )
  )
