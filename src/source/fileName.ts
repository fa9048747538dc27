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
 * A timestamp orders migrations: any non-negative safe integer. It need not be a date (`create` writes
 * `YYYYMMDDhhmmss`, but supabase-style or counter-like numbers are accepted as they are).
 */
export const timestampProblem = (value: unknown): string | undefined => {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : undefined
  if (text === undefined || text === "") return "missing timestamp"
  if (!/^\d+$/.test(text)) return `invalid timestamp ${JSON.stringify(text)}: expected digits, e.g. 20240102000000`
  if (!Number.isSafeInteger(Number(text))) return `invalid timestamp ${text}: too large`
  return undefined
}

/** `add_user_preferences` → `Add User Preferences`: words between `_`, `-` and white space, each capitalised. */
export const titleFromSlug = (slug: string): string =>
  slug.split(/[_\-\s]+/).filter((word) => word.length > 0).map((word) => word[0]!.toUpperCase() + word.slice(1)).join(" ")
