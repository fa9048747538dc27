/** `20240102000000_add_color.sql` → id `20240102000000_add_color`, timestamp 20240102000000, slug `add_color`. */
export interface ParsedFileName {
  readonly id: string
  readonly extension: string
  readonly timestamp: number | undefined
  readonly slug: string
}

export const migrationExtensions = [".sql", ".ts", ".mts", ".js", ".mjs", ".cjs"] as const

const declarationFile = /\.d\.[mc]?ts$/
const testFile = /\.(test|spec)\.[mc]?[jt]s$/

/** Listed as a migration: a `.sql` or module file, but not hidden (`.`), set aside (`_`), a declaration or a test. */
export const isMigrationFile = (fileName: string): boolean => {
  if (fileName.startsWith(".") || fileName.startsWith("_")) return false
  // Neither pattern below can match a name that ends in .sql: the common case is settled here.
  if (fileName.endsWith(".sql")) return true
  return migrationExtensions.some((extension) => fileName.endsWith(extension)) && !declarationFile.test(fileName) &&
    !testFile.test(fileName)
}

export const parseFileName = (fileName: string): ParsedFileName => {
  let extension = ""
  for (const candidate of migrationExtensions) {
    if (fileName.endsWith(candidate)) {
      extension = candidate
      break
    }
  }
  const id = fileName.slice(0, fileName.length - extension.length)
  // `^(\d+)(?:[_-](.*))?$` by hand: leading digits, then the end, or `_`/`-` and a slug without line breaks.
  let digits = 0
  while (digits < id.length && id.charCodeAt(digits) >= 48 && id.charCodeAt(digits) <= 57) digits++
  const after = id.charCodeAt(digits)
  const matches = digits > 0 &&
    (digits === id.length || ((after === 95 || after === 45) && !lineBreak.test(id.slice(digits + 1))))
  return matches
    ? { id, extension, timestamp: Number(id.slice(0, digits)), slug: digits === id.length ? "" : id.slice(digits + 1) }
    : { id, extension, timestamp: undefined, slug: id }
}

/** What `.` in a regular expression does not match. */
const lineBreak = /[\n\r\u2028\u2029]/

/**
 * A timestamp is a non-negative safe integer; a 14-digit one must also be a real
 * `YYYYMMDDhhmmss` date, since that is the form `create` writes and a typo there reorders history.
 */
export const timestampProblem = (value: unknown): string | undefined => {
  // A file name's timestamp is a safe whole number already: its digits need no checking.
  const checked = typeof value === "number" && value >= 0 && Number.isSafeInteger(value)
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : undefined
  if (text === undefined || text === "") return "missing timestamp"
  if (!checked) {
    if (!/^\d+$/.test(text)) return `invalid timestamp ${JSON.stringify(text)}: expected digits, e.g. 20240102000000`
    if (!Number.isSafeInteger(Number(text))) return `invalid timestamp ${text}: too large`
  }
  if (text.length === 14) {
    // Digits only, as checked above: each pair by char code.
    const pair = (at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48
    const month = pair(4)
    const day = pair(6)
    const hour = pair(8)
    const minute = pair(10)
    const second = pair(12)
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
      return `invalid timestamp ${text}: not a YYYYMMDDhhmmss date`
    }
  }
  return undefined
}

/** `add_user_preferences` → `Add User Preferences`: words between `_`, `-` and white space, each capitalised. */
export const titleFromSlug = (slug: string): string => {
  let title = ""
  let start = -1
  for (let i = 0; i <= slug.length; i++) {
    if (i < slug.length && !isSlugSeparator(slug.charCodeAt(i))) {
      if (start < 0) start = i
      continue
    }
    if (start < 0) continue
    title += (title.length > 0 ? " " : "") + slug[start]!.toUpperCase() + slug.slice(start + 1, i)
    start = -1
  }
  return title
}

/** `_`, `-`, or white space as `\s` and `trim` see it. */
const isSlugSeparator = (code: number): boolean =>
  code === 95 || code === 45 || (code < 128 ? code === 32 || (code >= 9 && code <= 13) : String.fromCharCode(code).trim() === "")
