// In-process no-op: an app that puts MigrationsLayer before its own layers. Loads the library first, then
// times the layer build alone (connect, lock, journal, load and check every file), and prints {"ms": ...}.
// DATABASE_URL, MIGRATIONS_DIR and RLS_FILE=none come from the environment.
import { Effect, Layer } from "effect"
import { pathToFileURL } from "node:url"

const { MigrationsLayer } = await import(pathToFileURL(process.argv[2] ?? "dist/index.js").href)
const build = Effect.scoped(Layer.build(MigrationsLayer))
const started = performance.now()
await Effect.runPromise(build)
process.stdout.write(JSON.stringify({ ms: performance.now() - started }) + "\n")
