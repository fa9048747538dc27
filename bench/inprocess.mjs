// In-process no-op: an app that puts MigrationsLayer before its own layers. Loads the library first, then
// times the layer build alone (connect, lock, journal, load and check every file). Prints
// {"ms": first build, "warmMs": median of 5 more builds in the same process}.
// DATABASE_URL, MIGRATIONS_DIR and RLS_FILE=none come from the environment.
import { Effect, Layer } from "effect"
import { pathToFileURL } from "node:url"

const { MigrationsLayer } = await import(pathToFileURL(process.argv[2] ?? "dist/index.js").href)
const build = Effect.scoped(Layer.build(MigrationsLayer))
const time = async () => {
  const started = performance.now()
  await Effect.runPromise(build)
  return performance.now() - started
}
const ms = await time()
const warm = []
for (let i = 0; i < 5; i++) warm.push(await time())
warm.sort((a, b) => a - b)
process.stdout.write(JSON.stringify({ ms, warmMs: warm[2] }) + "\n")
