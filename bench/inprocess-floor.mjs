// The floor of the in-process no-op on this server: a new node-postgres connection and one query that reads the
// journal's state as one text, then the connection ended without waiting for the server. No files read, no lock,
// no checks, no RLS file, no log lines: the server's share of any in-process start.
// Prints {"ms", "warmMs", "steadyMs"} like inprocess.mjs. DATABASE_URL: a database whose `migrations` has the rows.
import pg from "pg"
import { printRunTimes } from "./lib/timeLayerBuilds.mjs"

const journalState = "SELECT count(*)::int, " +
  "string_agg(id || ' ' || coalesce(status, '') || ' ' || coalesce('=' || checksum, '-'), E'\\n') FROM migrations"

await printRunTimes(async () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  await client.query({ text: journalState, rowMode: "array" })
  void client.end().catch(() => {})
})
