import { MigrationLoadError } from "../errors.js"

/** A file system error in words: `no such file or directory` for ENOENT, the error's message otherwise. */
export const describeCause = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT") return "no such file or directory"
  return cause instanceof Error ? cause.message : String(cause)
}

/** A migration file that could not be read. */
export const cannotRead = (file: string, cause: unknown): MigrationLoadError =>
  new MigrationLoadError({ file, message: `${file}: cannot read: ${describeCause(cause)}` })
