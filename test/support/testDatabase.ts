import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll, inject } from "vitest"
import { withDatabase } from "./postgres.mjs"

export interface TestDatabase {
  /** URL of this file's own database, as the superuser. */
  readonly url: string
  readonly name: string
  /** Runs one query on this database (a fresh connection each time) and returns its rows. */
  readonly query: <Row = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>) => Promise<Array<Row>>
  /** URL of the same server with another database name, user or password. */
  readonly urlWith: (change: { database?: string; user?: string; password?: string }) => string
}

export const adminUrl = (): string => inject("adminUrl")

export const runQuery = async <Row>(url: string, text: string, params?: ReadonlyArray<unknown>): Promise<Array<Row>> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const result = await client.query(text, params === undefined ? [] : [...params])
    return result.rows as Array<Row>
  } finally {
    await client.end()
  }
}

/** Creates a database with a fresh name on the test server. */
export const createDatabase = async (prefix: string): Promise<TestDatabase> => {
  const admin = adminUrl()
  const name = `em_${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`.slice(0, 63)
  await runQuery(admin, `CREATE DATABASE "${name}"`)
  const url = withDatabase(admin, name)
  return {
    url,
    name,
    query: (text, params) => runQuery(url, text, params),
    urlWith: ({ database, password, user }) => {
      const parsed = new URL(url)
      if (database !== undefined) parsed.pathname = `/${database}`
      if (user !== undefined) parsed.username = encodeURIComponent(user)
      if (password !== undefined) parsed.password = encodeURIComponent(password)
      return parsed.toString()
    }
  }
}

export const dropDatabase = (name: string) => runQuery(adminUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)

/**
 * The test file's own database: created before its tests, dropped after them. Read `.current` inside tests.
 */
export const useTestDatabase = (prefix: string): { readonly current: TestDatabase } => {
  const holder: { current: TestDatabase | undefined } = { current: undefined }
  beforeAll(async () => {
    holder.current = await createDatabase(prefix)
  })
  afterAll(async () => {
    if (holder.current !== undefined) await dropDatabase(holder.current.name)
  })
  return {
    get current() {
      if (holder.current === undefined) throw new Error("test database not created yet")
      return holder.current
    }
  }
}
