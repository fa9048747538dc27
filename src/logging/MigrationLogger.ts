import { Cause, HashMap, Layer, Logger, LogLevel } from "effect"
import type { LogFormat } from "../config.js"
import { redactor } from "../database/redaction.js"

/** Where formatted lines go: stdout by default, an array in tests. */
export type LogSink = (line: string) => void

/** One line per call. */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + "\n")
}

export const stderrSink: LogSink = (line) => {
  process.stderr.write(line + "\n")
}

const messageText = (message: unknown): string => {
  if (Array.isArray(message)) {
    if (message.length === 1 && typeof message[0] === "string") return message[0]
    return message.map(messageText).join(" ")
  }
  if (typeof message === "string") return message
  if (message instanceof Error) return message.message
  try {
    return JSON.stringify(message) ?? String(message)
  } catch {
    return String(message)
  }
}

/** Fields an operator reads first, in this order; the rest follow alphabetically (a HashMap has no order). */
const leadingFields = ["event", "migration_id", "migration_name", "duration_ms", "code", "error", "hint"]

const annotationRecord = (annotations: HashMap.HashMap<string, unknown>): Record<string, unknown> => {
  const entries = [...annotations]
  const rank = (key: string) => {
    const index = leadingFields.indexOf(key)
    return index < 0 ? leadingFields.length : index
  }
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
  const record: Record<string, unknown> = {}
  for (const [key, value] of entries) record[key] = value
  return record
}

/** A string annotation, read without copying the whole map (once per line). */
const stringField = (annotations: HashMap.HashMap<string, unknown>, key: string): string | undefined => {
  const value = HashMap.get(annotations, key)
  return value._tag === "Some" && typeof value.value === "string" ? value.value : undefined
}

/** SQLSTATE, the error (unless the event line already says it) and the hint of a failure event. */
const detailLine = (text: string, annotations: HashMap.HashMap<string, unknown>): string | undefined => {
  const code = stringField(annotations, "code")
  const error = stringField(annotations, "error")
  const hint = stringField(annotations, "hint")
  const what = [code, error !== undefined && !text.includes(error) ? error : undefined]
    .filter((part) => part !== undefined).join(" ")
  if (hint === undefined) return what === "" ? undefined : what
  return what === "" ? `hint: ${hint}` : `${what} (hint: ${hint})`
}

/**
 * The text format operators grep for: `[ISO time] [LEVEL] message`. A failure event adds one line with
 * the SQLSTATE, the error and the hint, so the event line itself stays exactly as documented.
 */
const makeTextLogger = (sink: LogSink): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, cause, date, logLevel, message }) => {
    const prefix = `[${date.toISOString()}] [${logLevel.label}]`
    const text = messageText(message)
    sink(`${prefix} ${text}`)
    if (HashMap.size(annotations) === 0 && Cause.isEmpty(cause)) return
    const detail = detailLine(text, annotations)
    if (detail !== undefined) sink(`${prefix}    ↳ ${detail}`)
    const statementPreview = stringField(annotations, "statement_preview")
    if (statementPreview !== undefined) sink(`${prefix}    ↳ statement: ${statementPreview}`)
    if (!Cause.isEmpty(cause)) sink(`${prefix}    ↳ ${Cause.pretty(cause, { renderErrorCause: true }).split("\n").join(`\n${prefix}      `)}`)
  })

/** One JSON object per line, with the event's fields at the top level. */
const makeJsonLogger = (sink: LogSink): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, cause, date, logLevel, message }) => {
    const entry: Record<string, unknown> = {
      timestamp: date.toISOString(),
      level: logLevel.label,
      event: "log",
      message: messageText(message),
      ...annotationRecord(annotations)
    }
    if (!Cause.isEmpty(cause)) entry.cause = Cause.pretty(cause)
    sink(JSON.stringify(entry))
  })

/** Our logger in `format`; every line it writes, the rendered cause included, has the secrets replaced by `***`. */
const makeLogger = (
  format: LogFormat,
  sink: LogSink = stdoutSink,
  secrets: ReadonlyArray<string> = []
): Logger.Logger<unknown, void> => {
  const redact = redactor(secrets)
  const write: LogSink = secrets.length === 0 ? sink : (line) => sink(redact(line))
  return format === "json" ? makeJsonLogger(write) : makeTextLogger(write)
}

/** Replaces Effect's default logger with ours, at INFO and above: the one way to install it. */
export const layer = (format: LogFormat, sink: LogSink = stdoutSink, secrets: ReadonlyArray<string> = []): Layer.Layer<never> =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, makeLogger(format, sink, secrets)),
    Logger.minimumLogLevel(LogLevel.Info)
  )
