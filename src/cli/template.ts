/** The files `effect-migrate create` writes: a migration with `up` and `down` to fill in. */

export interface TemplateInput {
  readonly id: string
  readonly name: string
  readonly timestamp: string
}

const quote = (text: string) => JSON.stringify(text)

export const typeScriptTemplate = ({ id, name, timestamp }: TemplateInput): string =>
  `import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Migration } from "effect-migrate"

export default Migration.make({
  id: ${quote(id)},
  name: ${quote(name)},
  description: "TODO: what this migration changes, and why",
  timestamp: ${timestamp},
  up: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // TODO: the change. It runs in one transaction with its journal row; prefer IF NOT EXISTS so a retry is safe.
    yield* sql\`SELECT 1\`
  }),
  down: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // TODO: undo the change (run by \`effect-migrate down\`).
    yield* sql\`SELECT 1\`
  })
})
`

export const sqlTemplate = ({ name }: TemplateInput): string =>
  `-- name: ${name.replace(/\s+/g, " ")}
-- description: TODO: what this migration changes, and why

-- migrate:up
-- TODO: the change. It runs in one transaction with its journal row; prefer IF NOT EXISTS so a retry is safe.
SELECT 1;

-- migrate:down
-- TODO: undo the change (run by \`effect-migrate down\`).
SELECT 1;
`
