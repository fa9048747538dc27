// The README's start-up snippet, as written: the schema is brought up to date before the app's layers are built.
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { configFromEnv, DatabaseLive, MigrationsLayer } from "effect-migrate"

// The app's database: effect-migrate's connection for DATABASE_URL (a PostgreSQL URL or pglite:<dir>).
// An app with its own PgClient.layer(...) keeps it; only MigrationsLayer is needed.
const Database = DatabaseLive.pipe(Layer.provide(configFromEnv))

// The app: one service that reads a table the migrations created.
const Notes = Layer.effectDiscard(
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly count: number }>`SELECT count(*)::int AS count FROM notes`
    yield* Effect.log(`app started: ${rows[0]?.count ?? 0} notes`)
  })
)

// MigrationsLayer first: a failed migration fails the layer with its typed error, and the app never starts.
const AppLive = Notes.pipe(Layer.provide(Database), Layer.provide(MigrationsLayer))

Effect.runPromise(Effect.scoped(Layer.build(AppLive))).then(
  () => console.log("started"),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
