import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Schema } from "effect"
import { configFromEnv, DatabaseLive, MigrationsLayer } from "effect-migrate"

const Organization = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  slug: Schema.String.pipe(Schema.pattern(/^[a-z0-9-]+$/))
})

/** Routes over the tables the migrations create. */
export const routes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/organizations",
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ id: string; name: string; slug: string }>`
        SELECT id, name, slug FROM organizations ORDER BY slug`
      return yield* HttpServerResponse.json(rows)
    })
  ),
  HttpRouter.post(
    "/organizations",
    Effect.gen(function*() {
      const body = yield* HttpServerRequest.schemaBodyJson(Organization)
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ id: string; name: string; slug: string }>`
        INSERT INTO organizations ${sql.insert(body)} RETURNING id, name, slug`
      return yield* HttpServerResponse.json(row, { status: 201 })
    }).pipe(
      Effect.catchTag("ParseError", (error) => HttpServerResponse.json({ error: error.message }, { status: 400 }))
    )
  ),
  HttpRouter.get("/health", HttpServerResponse.text("ok"))
)

/** The app's own database client: DATABASE_URL, PostgreSQL or `pglite:<dir>`, through @effect/sql-pg. */
export const DatabaseLayer = DatabaseLive.pipe(Layer.provide(configFromEnv))

/**
 * Start-up order, bottom to top: migrations (the app fails to start if any fails), then the database
 * client, then the HTTP server, then the routes. The server and the client stay visible to callers (tests).
 */
export const makeApp = <ROut, E>(server: Layer.Layer<ROut | HttpServer.HttpServer, E>) =>
  HttpServer.serve(routes).pipe(
    HttpServer.withLogAddress,
    Layer.provideMerge(server),
    Layer.provideMerge(DatabaseLayer),
    Layer.provide(MigrationsLayer)
  )
