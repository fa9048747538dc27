// In-process no-op: an app that puts MigrationsLayer before its own layers. Loads the library first, then
// times the layer build alone (connect, lock, journal, load and check every file, the RLS file). Prints
// {"ms": first build, "warmMs": median of builds 2-6, "steadyMs": median of builds 12-21, all in the same process}.
// DATABASE_URL and MIGRATIONS_DIR come from the environment; the RLS file is the default, sql/enable-rls.sql in the cwd.
import { pathToFileURL } from "node:url"
import { printLayerBuildTimes } from "./lib/timeLayerBuilds.mjs"

const { MigrationsLayer } = await import(pathToFileURL(process.argv[2] ?? "dist/index.js").href)
await printLayerBuildTimes(MigrationsLayer)
