import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import * as path from "node:path"
import type { MigrationLoadError } from "../../errors.js"
import { Journal } from "../../journal/Journal.js"
import { parseFileName } from "../../source/fileName.js"
import { MigrationSource } from "../../source/MigrationSource.js"
import { plan } from "../../stages/discover.js"
import { type MigrationStatus, type StatusReport, statusOf, summaryLine } from "../../status.js"
import { live, runCommand } from "../environment.js"
import { Reported } from "../exitCode.js"
import { globalOptions } from "../globalOptions.js"
import { colourWanted } from "../frontDoor.js"

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

/** The id a migration file would have: its name without the extension. */
const idOf = (file: string) => parseFileName(path.basename(file)).id

/**
 * Reads every migration that loads and the journal, without taking the lock or changing anything; the files that
 * do not load are listed apart (their journal rows are not "missing").
 */
export const readStatus = Effect.gen(function*() {
  const source = yield* MigrationSource
  const journal = yield* Journal
  const [listing, entries] = yield* Effect.all([source.inspect, journal.entries], { concurrency: 2 })
  const unloadable = new Set(listing.failures.map((failure) => idOf(failure.file)))
  const status = statusOf(plan(listing.migrations, entries.filter((entry) => !unloadable.has(entry.id))))
  return { status, failures: listing.failures }
})

const renderFailures = (failures: ReadonlyArray<MigrationLoadError>): string =>
  failures.length === 0
    ? ""
    : [
      "\n",
      `${failures.length} migration file${failures.length === 1 ? "" : "s"} could not be loaded:`,
      ...failures.map((failure) => `  ✗ ${failure.file}: ${failure.message.replace(`${failure.file}: `, "")}`)
    ].join("\n")

export const statusCommand = Command.make("status", statusOptions, (options) =>
  runCommand(options, { command: "status", logToStderr: true }, (settings) =>
    Effect.gen(function*() {
      const { failures, status } = yield* live(readStatus)
      yield* Console.log(
        options.json
          ? JSON.stringify(
            { schema: settings.schema, ...status, unloadable: failures.map(({ file, message }) => ({ file, message })) },
            null,
            2
          )
          : renderTable(status, yield* colourWanted) + renderFailures(failures)
      )
      // Listed above; the run still fails, as `up` would.
      if (failures.length > 0) {
        return yield* new Reported({ tag: "MigrationLoadError", message: `${failures.length} migration file(s) could not be loaded` })
      }
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
