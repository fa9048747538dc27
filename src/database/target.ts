import { passwordsIn, redactSecrets } from "./redaction.js"

/** Where the database is, for logs and errors: never the password. */
export interface DatabaseTarget {
  readonly engine: "postgres" | "pglite"
  readonly host: string | undefined
  readonly port: number | undefined
  readonly database: string | undefined
  readonly user: string | undefined
  /** `pglite:<dir>` or `pglite:memory` */
  readonly dataDir: string | undefined
  /** e.g. `postgres://app@db.internal:5432/app` */
  readonly display: string
}

export const parseTarget = (url: string): DatabaseTarget => {
  if (url.toLowerCase().startsWith("pglite:")) {
    const dataDir = url.slice("pglite:".length)
    return {
      engine: "pglite",
      host: undefined,
      port: undefined,
      database: undefined,
      user: undefined,
      dataDir: dataDir === "" ? "memory" : dataDir,
      display: `pglite:${dataDir === "" ? "memory" : dataDir}`
    }
  }
  try {
    const parsed = new URL(url)
    const host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get("host") || "localhost"
    const port = parsed.port === "" ? 5432 : Number(parsed.port)
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || undefined
    const user = parsed.username === "" ? undefined : decodeURIComponent(parsed.username)
    return {
      engine: "postgres",
      host,
      port,
      database,
      user,
      dataDir: undefined,
      display: `postgres://${user === undefined ? "" : `${user}@`}${host}:${port}/${database ?? ""}`
    }
  } catch {
    return {
      engine: "postgres",
      host: undefined,
      port: undefined,
      database: undefined,
      user: undefined,
      dataDir: undefined,
      display: "postgres://<unparseable DATABASE_URL>"
    }
  }
}

/** Removes every occurrence of the password (raw and URL-encoded) from a text. */
export const redactPassword = (url: string, text: string): string => redactSecrets(passwordsIn([url]), text)
