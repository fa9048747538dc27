import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { ChecksumMismatch } from "../../errors.js"
import { Journal } from "../../journal/Journal.js"
import { MigrationLock } from "../../database/MigrationLock.js"
import type { Plan } from "../../stages/discover.js"
import * as CliEvents from "../events.js"
import { live, runCommand } from "../environment.js"
import { globalOptions } from "../globalOptions.js"
import { readPlan } from "../state.js"

/** Applied migrations whose file differs from the recorded checksum, or is gone. */
export const driftOf = (plan: Plan) => ({
  changed: plan.changed,
  missing: plan.missing.filter((entry) => entry.status === "applied"),
  applied: [...plan.entries.values()].filter((entry) => entry.status === "applied").length,
  unrecorded: plan.migrations.filter((migration) => {
    const entry = plan.entries.get(migration.id)
    return entry?.status === "applied" && entry.checksum === null && migration.checksum !== undefined
  })
})

export const renderVerify = (drift: ReturnType<typeof driftOf>): string => {
  const lines: Array<string> = []
  for (const { current, migration, recorded } of drift.changed) {
    lines.push(
      `CHANGED  ${migration.id}  ${migration.name}: file edited after it was applied ` +
        `(checksum ${recorded.slice(0, 12)} recorded, ${current.slice(0, 12)} on disk)`
    )
  }
  for (const entry of drift.missing) lines.push(`MISSING  ${entry.id}  ${entry.name}: applied, but its file is gone`)
  for (const migration of drift.unrecorded) {
    lines.push(`NOTE     ${migration.id}  ${migration.name}: no checksum recorded (\`effect-migrate repair\` records it)`)
  }
  const drifted = drift.changed.length + drift.missing.length
  lines.push(
    drifted === 0
      ? `OK: ${drift.applied} applied migration${drift.applied === 1 ? "" : "s"} match their files.`
      : `${drifted} of ${drift.applied} applied migrations drifted. Restore the files, or accept deliberate edits ` +
        "with `effect-migrate repair`."
  )
  return lines.join("\n")
}

const verify = Effect.gen(function*() {
  const drift = driftOf(yield* readPlan)
  yield* Console.log(renderVerify(drift))
  const ids = [...drift.changed.map(({ migration }) => migration.id), ...drift.missing.map((entry) => entry.id)]
  if (ids.length > 0) {
    return yield* new ChecksumMismatch({ ids, message: `applied migrations drifted from their files: ${ids.join(", ")}` })
  }
})

/** Stores the current files' checksums for changed (or never checksummed) applied migrations. */
const repair = Effect.scoped(
  Effect.gen(function*() {
    const lock = yield* MigrationLock
    const journal = yield* Journal
    yield* lock.acquire
    const plan = yield* readPlan
    const drift = driftOf(plan)
    let repaired = 0
    for (const { current, migration, recorded } of drift.changed) {
      yield* journal.updateChecksum(migration.id, current)
      yield* CliEvents.checksumRepaired(migration, recorded, current)
      repaired++
    }
    for (const migration of drift.unrecorded) {
      yield* journal.updateChecksum(migration.id, migration.checksum!)
      yield* CliEvents.checksumRepaired(migration, null, migration.checksum!)
      repaired++
    }
    for (const entry of drift.missing) yield* CliEvents.missingFile(entry)
    yield* CliEvents.repairResults(repaired)
  })
)

export const verifyCommand = Command.make("verify", globalOptions, (options) =>
  runCommand(options, { command: "verify", logToStderr: true }, () => live(verify))).pipe(
    Command.withDescription(
      "Compare the checksums recorded when migrations were applied with the files now on disk; " +
        "exit 1 naming each changed or missing one.\nExample: effect-migrate verify"
    )
  )

export const repairCommand = Command.make("repair", globalOptions, (options) =>
  runCommand(options, { command: "repair" }, () => live(repair))).pipe(
    Command.withDescription(
      "Accept deliberate edits: store the current files' checksums for applied migrations that changed, " +
        "and say which.\nExample: effect-migrate repair"
    )
  )
