/** A package we load on demand and list as an optional peer dependency. */
export interface OptionalPackage {
  readonly name: string
  readonly range: string
  /** What needs it, as in "<purpose> needs the optional package ...". */
  readonly purpose: string
}

/** Whether an import failed because `name` (not one of its own imports) is not installed. */
export const isNotInstalled = (cause: unknown, name: string): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause &&
  (cause.code === "ERR_MODULE_NOT_FOUND" || cause.code === "MODULE_NOT_FOUND") &&
  "message" in cause && typeof cause.message === "string" && cause.message.includes(name)

/**
 * The error for a failed dynamic import of an optional package: when the package is not installed, a sentence naming
 * it and the install command; any other failure as it came.
 */
export const missingPackage = (pkg: OptionalPackage, cause: unknown, context?: string): Error =>
  isNotInstalled(cause, pkg.name)
    ? new Error(
      `${pkg.purpose} needs the optional package ${pkg.name}, which is not installed` +
        (context === undefined ? "" : ` (${context})`) + `: npm install ${pkg.name}@${pkg.range}`
    )
    : cause instanceof Error
    ? cause
    : new Error(String(cause))
