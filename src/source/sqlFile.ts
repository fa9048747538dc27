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
const upMarker = /^--\s*migrate:up\b(.*)$/i
const downMarker = /^--\s*migrate:down\b(.*)$/i

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
    upTransaction
  }
}

const unterminatedProblem = ({ line, what }: Unterminated) =>
  `line ${line}: ${what} is never closed, so the rest of the file (and the journal row after it) would be read as part of it`

/** Whether anything but comments and white space is left (a block comment is taken to end at its first closing). */
const hasSql = (text: string): boolean =>
  text.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim().length > 0

const failure = (file: string, message: string): Either.Either<never, MigrationLoadError> =>
  Either.left(new MigrationLoadError({ file, message: `${file}: ${message}` }))

/** The file name's timestamp and the id (the `-- id:` header, else the file name), and the file's sections. */
const identify = (file: string, fileName: string, text: string) => {
  const parsed = parseFileName(fileName)
  const problem = timestampProblem(parsed.timestamp)
  if (parsed.timestamp === undefined || problem !== undefined) {
    return failure(
      file,
      `${problem ?? "missing timestamp"}: SQL migrations are named <timestamp>_<slug>.sql, e.g. 20240102000000_add_color.sql`
    )
  }
  const found = sections(text)
  return Either.right({
    fingerprint: { id: found.headers.id ?? parsed.id, timestamp: parsed.timestamp, checksum: checksum(text) },
    slug: parsed.slug,
    sections: found
  })
}

export const parseSqlMigration = (file: string, fileName: string, text: string): Either.Either<Migration, MigrationLoadError> =>
  Either.flatMap(identify(file, fileName, text), ({ fingerprint, sections: { down, headers, up, upTransaction }, slug }) => {
    if (!hasSql(up)) return failure(file, "no SQL to run in its up section")
    const headerTransaction = headers.transaction === undefined ? undefined : headers.transaction.toLowerCase() !== "false"
    const timeout = headers.timeout === undefined ? undefined : Number(headers.timeout)
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
      return failure(file, `invalid -- timeout: header ${JSON.stringify(headers.timeout)}: expected milliseconds`)
    }
    const transaction = upTransaction ?? headerTransaction ?? true
    const upScan = scanStatements(up)
    if (upScan.unterminated !== undefined) return failure(file, unterminatedProblem(upScan.unterminated))
    const upSql = transaction ? sqlForTransaction(up, upScan.statements) : { sql: up }
    if ("problem" in upSql) return failure(file, upSql.problem)
    const downScan = down === undefined || !hasSql(down) ? undefined : scanStatements(down)
    if (downScan?.unterminated !== undefined) return failure(file, `-- migrate:down section: ${unterminatedProblem(downScan.unterminated)}`)
    const downSql = down === undefined || downScan === undefined
      ? undefined
      : transaction
      ? sqlForTransaction(down, downScan.statements)
      : { sql: down }
    if (downSql !== undefined && "problem" in downSql) return failure(file, `-- migrate:down section: ${downSql.problem}`)
    return Either.right({
      id: fingerprint.id,
      name: headers.name ?? (titleFromSlug(slug) || fingerprint.id),
      description: headers.description,
      timestamp: fingerprint.timestamp,
      up: { _tag: "Sql", sql: upSql.sql },
      down: downSql === undefined ? undefined : { _tag: "Sql", sql: downSql.sql },
      transaction,
      timeoutMs: timeout,
      checksum: fingerprint.checksum,
      source: file
    })
  })
