import { Effect, Redacted } from "effect"
import type { MigrationSettings } from "../config.js"
import * as Events from "../logging/events.js"
import { parseTarget } from "./target.js"

/** A URL with its password as `***`, for a line that names it. */
export const maskPassword = (url: string): string => {
  try {
    const parsed = new URL(url)
    return parsed.password === "" ? url : url.replace(`:${parsed.password}@`, ":***@")
  } catch {
    return parseTarget(url).display
  }
}

/** DATABASE_URL unset: one line, before anything else, naming the default that is tried. */
export const announceDefaultUrl = (settings: MigrationSettings): Effect.Effect<void> =>
  settings.databaseUrlSet ? Effect.void : Events.databaseUrlUnset(maskPassword(Redacted.value(settings.databaseUrl)))
