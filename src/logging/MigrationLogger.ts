import { Cause, Effect, FiberRef, HashMap, HashSet, Layer, Logger, LogLevel } from "effect"
import type { LogFormat } from "../config.js"
import { redactSecrets } from "../database/redaction.js"

/** Where formatted lines go: stdout by default, an array in tests. */
export type LogSink = (line: string) => void

/** Lines held back by `writingStdoutOnce`; undefined outside it. */
let heldLines: Array<string> | undefined

export const stdoutSink: LogSink = (line) => {
  if (heldLines !== undefined) heldLines.push(line)
  else process.stdout.write(line + "\n")
}

/**
 * Runs `f`, which logs several lines at once (a group of applied migrations), and writes what it sent to stdout in
 * one write instead of one each. Not on a terminal, where a progress line on stderr is drawn between the lines.
 */
export const writingStdoutOnce = <A>(f: () => A): A => {
  if (heldLines !== undefined || process.stdout.isTTY === true) return f()
  const lines: Array<string> = []
  heldLines = lines
  try {
    return f()
  } finally {
    heldLines = undefined
    if (lines.length > 0) process.stdout.write(lines.join("\n") + "\n")
  }
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

/**
 * The annotations of lines logged by `Events`, as the plain record they were made from, for our loggers to read
 * instead of looking keys up in the HashMap one by one (once per applied migration). Only for a HashMap that holds
 * that record and nothing else.
 */
const recorded = new WeakMap<HashMap.HashMap<string, unknown>, Readonly<Record<string, unknown>>>()

export const knownFields = (annotations: HashMap.HashMap<string, unknown>, record: Readonly<Record<string, unknown>>) => {
  recorded.set(annotations, record)
}

/** Fields an operator reads first, in this order; the rest follow alphabetically (a HashMap has no order). */
const leadingFields = ["event", "migration_id", "migration_name", "duration_ms", "code", "error", "hint"]

const annotationRecord = (annotations: HashMap.HashMap<string, unknown>): Record<string, unknown> => {
  const known = recorded.get(annotations)
  const entries = known === undefined ? [...annotations] : Object.entries(known)
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
  const known = recorded.get(annotations)
  if (known !== undefined) {
    const value = known[key]
    return typeof value === "string" ? value : undefined
  }
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
export const makeTextLogger = (sink: LogSink): Logger.Logger<unknown, void> =>
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
export const makeJsonLogger = (sink: LogSink): Logger.Logger<unknown, void> =>
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

export const makeLogger = (format: LogFormat, sink: LogSink = stdoutSink): Logger.Logger<unknown, void> =>
  format === "json" ? makeJsonLogger(sink) : makeTextLogger(sink)

/** Replaces Effect's default logger with ours, at INFO and above; no line shows any of the `secrets`. */
export const layer = (format: LogFormat, sink: LogSink = stdoutSink, secrets: ReadonlyArray<string> = []): Layer.Layer<never> =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      makeLogger(format, secrets.length === 0 ? sink : (line) => sink(redactSecrets(secrets, line)))
    ),
    Logger.minimumLogLevel(LogLevel.Info)
  )

/**
 * Runs `self` with `logger` in place of Effect's default logger, at INFO and above: what `layer` provides, set on the
 * fiber directly. Providing a layer cost 17-30 ms here the first time a process did it (Effect's layer machinery runs
 * for the first time), which an app would pay at every start.
 */
export const withLogger = (logger: Logger.Logger<unknown, unknown>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.locallyWith(FiberRef.currentLoggers, (loggers) => HashSet.add(HashSet.remove(loggers, Logger.defaultLogger), logger)),
    Effect.locally(FiberRef.currentMinimumLogLevel, LogLevel.Info)
  )

/** Runs `self` logging with our logger, as `layer` would. */
export const logTo = (format: LogFormat, sink: LogSink = stdoutSink) => withLogger(makeLogger(format, sink))
