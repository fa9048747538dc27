/** `20240102000000_add_color.sql` → id `20240102000000_add_color`, timestamp 20240102000000, slug `add_color`. */
export interface ParsedFileName {
  readonly id: string
  readonly extension: string
  readonly timestamp: number | undefined
  readonly slug: string
}

export const migrationExtensions = [".sql", ".ts", ".mts", ".js", ".mjs", ".cjs"] as const

/** Listed as a migration: a `.sql` or module file, but not hidden (`.`), set aside (`_`), a declaration or a test. */
export const isMigrationFile = (fileName: string): boolean =>
  !fileName.startsWith(".") && !fileName.startsWith("_") && !/\.d\.[mc]?ts$/.test(fileName) &&
  !/\.(test|spec)\.[mc]?[jt]s$/.test(fileName) &&
  migrationExtensions.some((extension) => fileName.endsWith(extension))

export const parseFileName = (fileName: string): ParsedFileName => {
  const extension = migrationExtensions.find((candidate) => fileName.endsWith(candidate)) ?? ""
  const id = fileName.slice(0, fileName.length - extension.length)
  const match = /^(\d+)(?:[_-](.*))?$/.exec(id)
  return match === null
    ? { id, extension, timestamp: undefined, slug: id }
    : { id, extension, timestamp: Number(match[1]), slug: match[2] ?? "" }
}

/**
 * A timestamp is a non-negative safe integer; a 14-digit one must also be a real
 * `YYYYMMDDhhmmss` date, since that is the form `create` writes and a typo there reorders history.
 */
export const timestampProblem = (value: unknown): string | undefined => {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : undefined
  if (text === undefined || text === "") return "missing timestamp"
  if (!/^\d+$/.test(text)) return `invalid timestamp ${JSON.stringify(text)}: expected digits, e.g. 20240102000000`
  const number = Number(text)
  if (!Number.isSafeInteger(number)) return `invalid timestamp ${text}: too large`
  if (text.length === 14) {
    const [month, day, hour, minute, second] = [4, 6, 8, 10, 12].map((at) => Number(text.slice(at, at + 2))) as [
      number,
      number,
      number,
      number,
      number
    ]
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
      return `invalid timestamp ${text}: not a YYYYMMDDhhmmss date`
    }
  }
  return undefined
}

/** `add_user_preferences` → `Add User Preferences`: words between `_`, `-` and white space, each capitalised. */
export const titleFromSlug = (slug: string): string =>
  slug.split(/[_\-\s]+/).filter((word) => word.length > 0).map((word) => word[0]!.toUpperCase() + word.slice(1)).join(" ")
