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
export const redactPassword = (url: string, text: string): string => {
  let password: string | undefined
  try {
    const parsed = new URL(url)
    password = parsed.password === "" ? undefined : parsed.password
  } catch {
    password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/i.exec(url)?.[1]
  }
  if (password === undefined || password === "") return text
  let result = text
  for (const variant of new Set([password, safeDecode(password)])) {
    if (variant.length > 0) result = result.split(variant).join("***")
  }
  return result
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
