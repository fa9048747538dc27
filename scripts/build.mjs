// Builds dist/: the CLI as one bundle (start-up time is dominated by module loading), and the library
// entries with their dependencies left external so an app shares one copy of effect.
import { build } from "esbuild"
import { chmod, mkdir, rename, rm } from "node:fs/promises"
import * as path from "node:path"

// `--outdir <dir>` builds elsewhere (the benchmark keeps its own copy); default dist/.
const outdirFlag = process.argv.indexOf("--outdir")
const outdir = path.resolve(outdirFlag >= 0 ? process.argv[outdirFlag + 1] : "dist")
// Built beside the target and swapped in, so a process starting dist/cli.js meanwhile never finds it missing.
const staging = `${outdir}.building-${process.pid}`
// `--readable` keeps the CLI bundle's whitespace, for profiles (`node --cpu-prof dist/cli.js ...`).
const readable = process.argv.includes("--readable")

const common = {
  platform: "node",
  target: "node20",
  format: "esm",
  bundle: true,
  sourcemap: true,
  logLevel: "warning",
  legalComments: "none"
}

await rm(staging, { recursive: true, force: true })
await mkdir(staging, { recursive: true })

await Promise.all([
  // dist/cli.js: the CLI and everything it uses in one ES module.
  build({
    ...common,
    entryPoints: { cli: "src/cli/main.ts" },
    outdir: staging,
    minify: !readable,
    // The bundled CommonJS dependencies (pg) require Node's built-in modules.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from \"node:module\";\n" +
        "const require = __createRequire(import.meta.url);"
    },
    // Loaded on demand: the WASM engine for pglite: URLs, tsx for .ts migrations, the SQL parser for lint.
    external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "tsx", "tsx/*", "pg-native", "libpg-query"]
  }),
  // Registered by the CLI with module.register when it imports migration modules.
  build({ ...common, entryPoints: { moduleHooks: "src/cli/moduleHooks.ts" }, outdir: staging }),
  build({
    ...common,
    entryPoints: { index: "src/index.ts", testing: "src/testing.ts" },
    outdir: staging,
    packages: "external",
    splitting: true
  })
])
await chmod(path.join(staging, "cli.js"), 0o755)
const previous = `${outdir}.previous-${process.pid}`
await rename(outdir, previous).catch(() => {})
await rename(staging, outdir)
await rm(previous, { recursive: true, force: true })
