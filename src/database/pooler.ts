import { Context } from "effect"

/** What connecting told about the way to the server. */
export interface ConnectionFactsService {
  /**
   * The backend that answered is not the one the connection's key names: a pooler (PgBouncer, Supavisor, RDS
   * Proxy) sits between, and in transaction mode session state (a session lock, `SET`) does not stay with us.
   */
  readonly pooled: boolean
}

export class ConnectionFacts extends Context.Tag("effect-migrate/ConnectionFacts")<ConnectionFacts, ConnectionFactsService>() {}

/** The pooler's own refusal of a startup parameter it was not told to ignore (PgBouncer's wording). */
export const poolerHint = (message: string): string | undefined => {
  const parameter = message.match(/unsupported startup parameter:?\s*(\S+)/i)?.[1]
  return parameter === undefined
    ? undefined
    : `a connection pooler (PgBouncer) refused the startup parameter "${parameter}": add it to ` +
      `ignore_startup_parameters in pgbouncer.ini (e.g. ignore_startup_parameters = ${parameter}), remove it from ` +
      "DATABASE_URL, or connect to PostgreSQL directly"
}
