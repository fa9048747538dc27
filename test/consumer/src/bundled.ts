// Migrations bundled in code (no migrations directory at run time), with the live services.
import { Effect, Layer } from "effect"
import { makeMigrationsLayer, Migration } from "effect-migrate"

export const migrations = [
  Migration.make({
    id: "20240101000000_create_notes",
    name: "Create Notes",
    timestamp: 20240101000000,
    up: "CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)"
  }),
  Migration.make({
    id: "20240102000000_add_notes_author",
    timestamp: 20240102000000,
    up: "ALTER TABLE notes ADD COLUMN IF NOT EXISTS author text"
  })
]

export const MigrationsLive = makeMigrationsLayer({ migrations })

if (process.argv[1]?.endsWith("bundled.js")) {
  Effect.runPromise(Effect.scoped(Layer.build(MigrationsLive))).then(
    () => console.log("bundled migrations applied"),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
