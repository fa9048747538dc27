// Builds dist/: the CLI as one bundle (start-up time is dominated by module loading: dist/cli-program.js, loaded by
// the bin dist/cli.js), the library entries with effect and the @effect/* peers left external so an app shares one
// copy of them, and the library's `.d.ts` declarations (dist/types/, from tsconfig.build.json) that `exports.*.types`
// points at.
import { build } from "esbuild"
import { execFile } from "node:child_process"
import { chmod, mkdir, rename, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import * as path from "node:path"
import { promisify } from "node:util"

// `--outdir <dir>` builds elsewhere (the benchmark keeps its own copy); default dist/.
const outdirFlag = process.argv.indexOf("--outdir")
const outdir = path.resolve(outdirFlag >= 0 ? process.argv[outdirFlag + 1] : "dist")
// Built beside the target and swapped in, so a process starting dist/cli.js meanwhile never finds it missing.
const staging = `${outdir}.building-${process.pid}`
// `--readable` keeps the CLI bundle's whitespace and writes its source map, for profiles (`node --cpu-prof dist/cli.js ...`).
const readable = process.argv.includes("--readable")
// `--no-types` skips the declarations (about 10 s of tsc): the tests run the JavaScript only.
const types = !process.argv.includes("--no-types")

const common = {
  platform: "node",
  target: "node20",
  format: "esm",
  bundle: true,
  logLevel: "warning",
  legalComments: "none"
}

/**
 * Every package stays external except Node's file system layer of @effect/platform-node (a few kB): bundling it
 * keeps @effect/platform-node, and the cluster/rpc/workflow peers it brings, out of an app's install.
 */
const bundledForLibrary = /^@effect\/platform-node(-shared)?(\/|$)/
const externalPackages = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (bundledForLibrary.test(args.path) ? undefined : { path: args.path, external: true }))
  }
}

const declarations = () =>
  promisify(execFile)(process.execPath, [
    createRequire(import.meta.url).resolve("typescript/bin/tsc"),
    "-p", "tsconfig.build.json",
    "--outDir", path.join(staging, "types")
  ]).catch((error) => {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`)
    throw new Error("tsc -p tsconfig.build.json failed")
  })

await rm(staging, { recursive: true, force: true })
await mkdir(staging, { recursive: true })

await Promise.all([
  // dist/cli.js: the bin, turning on Node's compile cache where there is one, then loading dist/cli-program.js.
  build({
    ...common,
    entryPoints: { cli: "src/cli/bin.ts" },
    outdir: staging,
    banner: { js: "#!/usr/bin/env node" },
    plugins: [{
      name: "cli-program",
      setup(build) {
        build.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: "./cli-program.js", external: true }))
      }
    }]
  }),
  // dist/cli-program.js: the CLI and everything it uses in one ES module.
  build({
    ...common,
    entryPoints: { "cli-program": "src/cli/main.ts" },
    outdir: staging,
    minify: !readable,
    sourcemap: readable,
    // The bundled CommonJS dependencies (pg) require Node's built-in modules.
    banner: {
      js: "import { createRequire as __createRequire } from \"node:module\";\n" +
        "const require = __createRequire(import.meta.url);"
    },
    // Loaded on demand: the WASM engine for pglite: URLs, tsx for .ts migrations, the parser for `lint`.
    external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "tsx", "tsx/*", "pg-native", "libpg-query"]
  }),
  // Registered by the CLI with module.register when it imports migration modules.
  build({ ...common, entryPoints: { moduleHooks: "src/cli/moduleHooks.ts" }, outdir: staging }),
  build({
    ...common,
    entryPoints: { index: "src/index.ts", testing: "src/testing.ts" },
    outdir: staging,
    sourcemap: true,
    plugins: [externalPackages],
    splitting: true
  }),
  ...(types ? [declarations()] : [])
])
await chmod(path.join(staging, "cli.js"), 0o755)
const previous = `${outdir}.previous-${process.pid}`
await rename(outdir, previous).catch(() => {})
await rename(staging, outdir)
await rm(previous, { recursive: true, force: true })
