import { Either } from "effect"
import { MigrationLoadError } from "../errors.js"
import type { Migration } from "../migration.js"
import { scanStatements, type Unterminated } from "../sql/splitStatements.js"
import { sqlForTransaction } from "../sql/transactionControl.js"
import { checksum } from "./checksum.js"
import { parseFileName, timestampProblem, titleFromSlug } from "./fileName.js"

interface Sections {
  readonly headers: Record<string, string>
  readonly up: string
  readonly down: string | undefined
  readonly upTransaction: boolean | undefined
}

const headerLine = /^--\s*([a-z][a-z_-]*)\s*:\s*(.*?)\s*$/i
/** dbmate's `-- migrate:up`, goose's `-- +goose Up`, node-pg-migrate's `-- Up Migration`; likewise for down. */
const upMarker = /^--\s*(?:migrate:up|\+goose\s+up|up\s+migration)\b(.*)$/i
const downMarker = /^--\s*(?:migrate:down|\+goose\s+down|down\s+migration)\b(.*)$/i
/** goose's way of saying `transaction: false`. */
const gooseNoTransaction = /^--\s*\+goose\s+no\s+transaction\b/im

const transactionOption = (rest: string): boolean | undefined => {
  const match = /transaction\s*:\s*(true|false)/i.exec(rest)
  return match === null ? undefined : match[1]!.toLowerCase() === "true"
}

/**
 * Reads header comments at the top (`-- name:`, `-- description:`, `-- transaction: false`), an optional
 * `-- migrate:up` marker (dbmate's `transaction:false` option included) and an optional `-- migrate:down` section.
 */
const sections = (text: string): Sections => {
  const lines = text.replace(/\r\n?/g, "\n").split("\n")
  const headers: Record<string, string> = {}
  let index = 0
  for (; index < lines.length; index++) {
    const line = lines[index]!.trim()
    if (line === "") continue
    if (upMarker.test(line) || downMarker.test(line)) break
    const header = headerLine.exec(line)
    if (header === null) {
      if (line.startsWith("--")) continue
      break
    }
    headers[header[1]!.toLowerCase()] = header[2]!
  }
  let upTransaction: boolean | undefined
  const up: Array<string> = []
  const down: Array<string> = []
  let target = up
  let sawDown = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const trimmed = line.trim()
    const isUp = upMarker.exec(trimmed)
    if (isUp !== null) {
      upTransaction = transactionOption(isUp[1] ?? "")
      target = up
      up.push("")
      continue
    }
    if (downMarker.test(trimmed)) {
      sawDown = true
      target = down
      up.push("")
      continue
    }
    // Keep line numbers of the up section equal to the file's, so PostgreSQL positions stay meaningful.
    target.push(line)
    if (target === down) up.push("")
  }
  return {
    headers,
    up: up.join("\n"),
    down: sawDown ? down.join("\n") : undefined,
    upTransaction: gooseNoTransaction.test(text) ? false : upTransaction
  }
}

const unterminatedProblem = ({ line, what }: Unterminated) =>
  `line ${line}: ${what} is never closed, so the rest of the file (and the journal row after it) would be read as part of it`

/** Whether anything but comments and white space is left (a block comment is taken to end at its first closing). */
const hasSql = (text: string): boolean =>
  text.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim().length > 0

const failure = (file: string, message: string): Either.Either<never, MigrationLoadError> =>
  Either.left(new MigrationLoadError({ file, message: `${file}: ${message}` }))

/** A `.sql` migration as a layout found it: the text of its up file, and of a separate down file if it has one. */
export interface SqlMigrationFile {
  /** Path of the up file, for messages and `source`. */
  readonly file: string
  /** `<timestamp>_<slug>.sql`: where the timestamp, slug and (unless `id` is given) the id come from. */
  readonly fileName: string
  readonly text: string
  /** The id the layout's tool uses, when it is not the file name (an `-- id:` header still wins). */
  readonly id?: string | undefined
  /** A separate down file (golang-migrate, diesel, Flyway undo): its path and text; empty text is a down that does nothing. */
  readonly down?: { readonly file: string; readonly text: string } | undefined
}

/** SQL meant to run in the migration's transaction: refused when unterminated or when it controls the transaction. */
const transactionalSql = (text: string, transaction: boolean, where: string): Either.Either<string, string> => {
  const scan = scanStatements(text)
  if (scan.unterminated !== undefined) return Either.left(`${where}${unterminatedProblem(scan.unterminated)}`)
  if (!transaction) return Either.right(text)
  const checked = sqlForTransaction(text, scan.statements)
  return "problem" in checked ? Either.left(`${where}${checked.problem}`) : Either.right(checked.sql)
}

/** The down body: the file's own `-- migrate:down` section, or a separate down file (empty: a down that does nothing). */
const downBody = (source: SqlMigrationFile, section: string | undefined, transaction: boolean) => {
  if (source.down !== undefined) {
    if (!hasSql(source.down.text)) return Either.right<string | undefined>("")
    return Either.mapLeft(transactionalSql(source.down.text, transaction, ""), (problem) => `${source.down!.file}: ${problem}`)
  }
  if (section === undefined || !hasSql(section)) return Either.right(undefined)
  return Either.mapLeft(transactionalSql(section, transaction, "-- migrate:down section: "), (problem) => `${source.file}: ${problem}`)
}

export const parseSqlMigration = (source: SqlMigrationFile): Either.Either<Migration, MigrationLoadError> => {
  const { file, fileName, text } = source
  const parsed = parseFileName(fileName)
  const problem = timestampProblem(parsed.timestamp)
  if (parsed.timestamp === undefined || problem !== undefined) {
    return failure(file, `${problem ?? "missing timestamp"}: SQL migrations are named <timestamp>_<slug>.sql, e.g. 20240102000000_add_color.sql`)
  }
  const { down, headers, up, upTransaction } = sections(text)
  if (!hasSql(up)) return failure(file, "no SQL to run in its up section")
  const headerTransaction = headers.transaction === undefined ? undefined : headers.transaction.toLowerCase() !== "false"
  const timeout = headers.timeout === undefined ? undefined : Number(headers.timeout)
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    return failure(file, `invalid -- timeout: header ${JSON.stringify(headers.timeout)}: expected milliseconds`)
  }
  const transaction = upTransaction ?? headerTransaction ?? true
  const upSql = transactionalSql(up, transaction, "")
  if (Either.isLeft(upSql)) return failure(file, upSql.left)
  const downSql = downBody(source, down, transaction)
  if (Either.isLeft(downSql)) return Either.left(new MigrationLoadError({ file, message: downSql.left }))
  const id = headers.id ?? source.id ?? parsed.id
  return Either.right({
    id,
    name: headers.name ?? (titleFromSlug(parsed.slug) || id),
    description: headers.description,
    timestamp: parsed.timestamp,
    up: { _tag: "Sql", sql: upSql.right },
    down: downSql.right === undefined ? undefined : { _tag: "Sql", sql: downSql.right },
    transaction,
    timeoutMs: timeout,
    checksum: checksum(source.down === undefined ? text : `${text}\n-- down --\n${source.down.text}`),
    source: file
  })
}
