import { Config, Effect, HashMap, Layer, Logger, Option } from "effect"
import type { LogFormat } from "../config.js"
import * as MigrationLogger from "../logging/MigrationLogger.js"
import type { LogSink } from "../logging/MigrationLogger.js"

/** Events that start a counted run, and those that count one step of it. */
const starts: Record<string, { readonly field: string; readonly noun: string }> = {
  db_migration_pending: { field: "pending", noun: "migration" },
  db_migration_rollback_started: { field: "count", noun: "rollback" }
}
const steps = new Set(["db_migration_applied", "db_migration_failed", "db_migration_reverted", "db_migration_revert_failed"])
const ends = new Set(["db_migration_results", "db_migration_rollback_results"])
/** Migrations sent to the server together: the line shows the whole group as running (`migrations 2–4 of 5`). */
const groupStarted = "db_migration_group_started"

/**
 * One status line on a terminal (`⏳ migration 2 of 5 · 3s`), redrawn in place with `\r`; log lines are
 * printed above it, unchanged.
 */
export class ProgressLine {
  private total = 0
  private done = 0
  private running = 1
  private noun = "migration"
  private startedAt = 0
  private visible = false
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly write: (text: string) => void) {}

  observe(event: string, fields: Record<string, unknown>): void {
    const start = starts[event]
    if (start !== undefined) {
      const total = Number(fields[start.field])
      if (!Number.isFinite(total) || total <= 0) return
      this.total = total
      this.done = 0
      this.running = 1
      this.noun = start.noun
      this.startedAt = Date.now()
      this.timer ??= setInterval(() => this.draw(), 1_000)
      this.timer.unref()
      this.draw()
    } else if (event === groupStarted && this.total > 0) {
      const size = Number(fields["size"])
      this.running = Number.isInteger(size) && size > 1 ? size : 1
      this.draw()
    } else if (steps.has(event) && this.total > 0) {
      this.done++
      this.running = Math.max(1, this.running - 1)
      this.draw()
    } else if (ends.has(event)) {
      this.stop()
    }
  }

  /** Takes the line off the screen so a log line can be printed in its place. */
  clear(): void {
    if (this.visible) this.write("\r\x1b[K")
    this.visible = false
  }

  draw(): void {
    if (this.total === 0 || this.done >= this.total) return this.clear()
    const seconds = Math.floor((Date.now() - this.startedAt) / 1_000)
    const last = Math.min(this.total, this.done + this.running)
    const which = last > this.done + 1 ? `${this.noun}s ${this.done + 1}–${last}` : `${this.noun} ${this.done + 1}`
    this.write(`\r\x1b[K⏳ ${which} of ${this.total} · ${seconds}s`)
    this.visible = true
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.total = 0
    this.clear()
  }
}

/** Whether to show progress: a terminal on stderr, text logs, and no CI/dumb terminal asking for plain output. */
export const progressWanted = (format: LogFormat): Effect.Effect<boolean> =>
  Config.all([Config.option(Config.string("TERM")), Config.option(Config.string("CI"))]).pipe(
    Effect.map(([term, ci]) =>
      format === "text" && process.stderr.isTTY === true && Option.getOrUndefined(term) !== "dumb" && Option.isNone(ci)
    ),
    // Reading a plain string cannot be invalid; a provider that fails to read means no terminal to draw on.
    Effect.orElseSucceed(() => false)
  )

/** A logger that notes the counted events, for the progress line. */
const observer = (progress: ProgressLine) =>
  Logger.make<unknown, void>(({ annotations }) => {
    const event = HashMap.get(annotations, "event")
    if (Option.isSome(event) && typeof event.value === "string") {
      const fields: Record<string, unknown> = {}
      for (const [key, value] of annotations) fields[key] = value
      progress.observe(event.value, fields)
    }
  })

/** Our logger (as MigrationLogger.layer installs it) with a progress line on stderr that never changes the log lines. */
export const layer = (format: LogFormat, sink: LogSink, secrets: ReadonlyArray<string>): Layer.Layer<never> =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new ProgressLine((text) => void process.stderr.write(text))),
        (progress) => Effect.sync(() => progress.stop())
      ),
      (progress) =>
        Layer.merge(
          MigrationLogger.layer(format, (line) => {
            progress.clear()
            sink(line)
            progress.draw()
          }, secrets),
          Logger.add(observer(progress))
        )
    )
  )
