import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Migration } from "effect-migrate"

export default Migration.make({
  id: "20240102000000_create_users",
  name: "Create Users",
  description: "People who sign in; each belongs to one organization.",
  timestamp: 20240102000000,
  up: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      CREATE TABLE IF NOT EXISTS users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL UNIQUE,
        display_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`
    yield* sql`CREATE INDEX IF NOT EXISTS users_organization_id_idx ON users (organization_id)`
  }),
  down: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`DROP TABLE IF EXISTS users`
  })
})
