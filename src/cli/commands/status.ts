import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { MigrationConfig } from "../../config.js"
import { type MigrationStatus, type StatusReport, statusOf, summaryLine } from "../../status.js"
import { live, withSettings } from "../environment.js"
import { ExitCode } from "../exitCode.js"
import { globalOptions, withFlags } from "../globalOptions.js"
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

export const statusCommand = Command.make("status", statusOptions, (options) =>
  withSettings(
    () =>
      live(readStatus).pipe(
        Effect.tap((status) =>
          Effect.gen(function*() {
            const settings = yield* MigrationConfig
            const output = options.json
              ? JSON.stringify({ schema: settings.schema, ...status }, null, 2)
              : renderTable(status, process.stdout.isTTY === true && process.env.NO_COLOR === undefined)
            yield* Effect.sync(() => process.stdout.write(output + "\n"))
            if (options.check && !status.upToDate) yield* Effect.sync(() => (process.exitCode = ExitCode.failed))
          })
        )
      ),
    { command: "status", logToStderr: true }
  ).pipe(withFlags(options))).pipe(
    Command.withDescription(
      "Show every migration on disk or in the journal: applied, pending, failed, changed or missing.\n" +
        "Examples: effect-migrate status   |   effect-migrate status --json   |   " +
        "effect-migrate status --check   (exit 1 when anything is pending, failed, changed or missing)"
    )
  )
