import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

/** The Effect major line this package is written for (its peer range is `effect ^3.21`). */
export const supportedMajor = 3

/** The version of `effect` that `from` (a file path or URL) resolves to, or undefined if it resolves none. */
export const effectVersionFrom = (from: string): string | undefined => {
  try {
    const manifest = createRequire(from).resolve("effect/package.json")
    const version: unknown = JSON.parse(readFileSync(manifest, "utf8")).version
    return typeof version === "string" ? version : undefined
  } catch {
    return undefined
  }
}

/** The sentence for an app on another Effect major, or undefined when `version` is on Effect 3 (or unknown). */
export const unsupportedEffect = (version: string | undefined): string | undefined => {
  const major = version === undefined ? undefined : Number.parseInt(version, 10)
  return major === undefined || Number.isNaN(major) || major === supportedMajor
    ? undefined
    : `effect-migrate is written for Effect 3 (effect ^3.21) and found effect ${version}; ` +
      "no effect-migrate release is written for Effect 4 yet: keep this app on Effect 3, or run the effect-migrate CLI " +
      "with .sql migrations, which bundles its own Effect"
}
