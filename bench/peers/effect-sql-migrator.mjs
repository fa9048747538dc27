// @effect/sql's own migrator (PgMigrator from @effect/sql-pg), run the way its docs show, unbundled.
// DATABASE_URL, MIGRATIONS_DIR. With --in-process: prints {"ms", "warmMs", "steadyMs"} (bench/lib/timeLayerBuilds.mjs).
import { NodeContext } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { printLayerBuildTimes } from "../lib/timeLayerBuilds.mjs"

const options = { loader: PgMigrator.fromFileSystem(process.env.MIGRATIONS_DIR) }
const client = PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL) })

if (process.argv.includes("--in-process")) {
  await printLayerBuildTimes(PgMigrator.layer(options).pipe(Layer.provide(client), Layer.provide(NodeContext.layer)))
} else {
  await Effect.runPromise(PgMigrator.run(options).pipe(Effect.provide(Layer.merge(client, NodeContext.layer))))
}
