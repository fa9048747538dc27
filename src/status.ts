import type { Plan } from "./stages/discover.js"

export type MigrationState = "applied" | "pending" | "failed" | "changed" | "missing"

export interface MigrationStatus {
  readonly id: string
  readonly name: string
  readonly state: MigrationState
  readonly appliedAt: string | null
  readonly durationMs: number | null
  readonly error: string | null
  readonly source: string | null
}

export interface StatusSummary {
  readonly total: number
  readonly applied: number
  readonly pending: number
  readonly failed: number
  readonly changed: number
  readonly missing: number
}

export interface StatusReport {
  readonly migrations: ReadonlyArray<MigrationStatus>
  readonly summary: StatusSummary
  /** Nothing pending, failed, changed or missing. */
  readonly upToDate: boolean
}

/** Every migration known on disk or in the journal, with its state. */
export const statusOf = (plan: Plan): StatusReport => {
  const changed = new Set(plan.changed.map(({ migration }) => migration.id))
  const migrations: Array<MigrationStatus> = plan.migrations.map((migration) => {
    const entry = plan.entries.get(migration.id)
    const state: MigrationState = entry === undefined
      ? "pending"
      : entry.status === "applied"
      ? changed.has(migration.id) ? "changed" : "applied"
      : entry.status === "failed"
      ? "failed"
      : "pending"
    return {
      id: migration.id,
      name: migration.name,
      state,
      appliedAt: entry?.appliedAt?.toISOString() ?? null,
      durationMs: entry?.durationMs ?? null,
      error: entry?.status === "failed" ? entry.error : null,
      source: migration.source
    }
  })
  for (const entry of plan.missing) {
    migrations.push({
      id: entry.id,
      name: entry.name,
      state: "missing",
      appliedAt: entry.appliedAt?.toISOString() ?? null,
      durationMs: entry.durationMs,
      error: entry.error,
      source: null
    })
  }
  const count = (state: MigrationState) => migrations.filter((migration) => migration.state === state).length
  const summary: StatusSummary = {
    total: migrations.length,
    applied: count("applied"),
    pending: count("pending"),
    failed: count("failed"),
    changed: count("changed"),
    missing: count("missing")
  }
  return {
    migrations,
    summary,
    upToDate: summary.pending + summary.failed + summary.changed + summary.missing === 0
  }
}

export const summaryLine = (summary: StatusSummary): string =>
  `${summary.total} migrations: ${summary.applied} applied, ${summary.pending} pending, ${summary.failed} failed, ` +
  `${summary.changed} changed, ${summary.missing} missing`
