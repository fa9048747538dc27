// Builds dist/: the CLI as one bundle (start-up time is dominated by module loading), and the library
// entries with their dependencies left external so an app shares one copy of effect.
import { build } from "esbuild"
import { createHash } from "node:crypto"
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
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

/**
 * `import { NodeContext } from "@effect/platform-node"` would also evaluate undici (about 1 MB, re-exported by the
 * index as `Undici`) at every start; the CLI gets the same index without it.
 */
const platformNodeWithoutUndici = {
  name: "platform-node-without-undici",
  setup(build) {
    build.onResolve({ filter: /^@effect\/platform-node$/ }, () => ({ path: "index", namespace: "platform-node", sideEffects: false }))
    build.onLoad({ filter: /.*/, namespace: "platform-node" }, async () => {
      const index = await readFile(path.resolve("node_modules/@effect/platform-node/dist/esm/index.js"), "utf8")
      const modules = [...index.matchAll(/export \* as (\w+) from "\.\/(\w+)\.js"/g)].map((match) => match[1])
      return {
        contents: modules.filter((name) => name !== "Undici").map((name) => `export * as ${name} from "@effect/platform-node/${name}"`).join("\n"),
        resolveDir: process.cwd(),
        loader: "js"
      }
    })
  }
}

/**
 * pg's lib/stream.js asks "are we in a Cloudflare Worker?" by constructing a `Response`, which makes Node load
 * its internal fetch implementation (25-40 ms of every start). The CLI bundle only ever runs on Node.
 */
const pgWithoutCloudflareProbe = {
  name: "pg-without-cloudflare-probe",
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      const probe = "function isCloudflareRuntime() {"
      if (!source.includes(probe)) throw new Error(`${args.path}: isCloudflareRuntime() not found; revisit this plugin`)
      return { contents: source.replace(probe, `${probe}\n  return false`), loader: "js" }
    })
  }
}

/**
 * dist/cli.js: runs one of the CLI bundles through vm.Script with V8's code cache (what Node 22's
 * module.enableCompileCache does): up.cjs for `effect-migrate` / `effect-migrate up` without flags (what replicas
 * run at every start; no @effect/cli to load), cli.cjs for everything else.
 */
const cliEntry = `#!/usr/bin/env node
import { createRequire } from "node:module"
import { accessSync, constants, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import vm from "node:vm"

const bundles = @BUNDLES@
const args = process.argv.slice(2)
const name = args.length === 0 || (args.length === 1 && args[0] === "up") ? "up" : "cli"
const { encoding, hash } = bundles[name]
const file = fileURLToPath(new URL(\`./\${name}.cjs\`, import.meta.url))
const directory = path.dirname(file)
const source = readFileSync(file, encoding)
// Only beside the bundle (same owner, same trust), never in a shared temporary directory.
const cacheFile = path.join(directory, \`.\${name}.\${hash}.\${process.version}.\${process.arch}.v8cache\`)
let cachedData
try {
  cachedData = process.env.EFFECT_MIGRATE_NO_COMPILE_CACHE ? undefined : readFileSync(cacheFile)
} catch {}
const wrapped = \`(function (exports, require, module, __filename, __dirname, __import) {\${source}\n})\`
const script = new vm.Script(wrapped, { filename: file, cachedData })
if (!process.env.EFFECT_MIGRATE_NO_COMPILE_CACHE && (cachedData === undefined || script.cachedDataRejected)) {
  // Written at exit, so the functions this run compiled are in it too.
  process.once("exit", () => {
    const temporary = \`\${cacheFile}.\${process.pid}\`
    try {
      accessSync(directory, constants.W_OK)
      writeFileSync(temporary, script.createCachedData())
      renameSync(temporary, cacheFile)
    } catch {
      rmSync(temporary, { force: true })
    }
  })
}
const module = { exports: {} }
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, directory, (specifier) => import(specifier))
`

await rm(staging, { recursive: true, force: true })
await mkdir(staging, { recursive: true })

/**
 * A CLI bundle: one CommonJS file started by cli.js. V8 drops vm's dynamic-import callback for code restored from a
 * cache (Node 20), so the bundle's few import() calls (tsx, migration modules, pglite) go through a function that
 * cli.js passes in. Returns what cli.js needs to load it.
 */
const cliBundle = async (name, entry) => {
  await build({
    ...common,
    format: "cjs",
    entryPoints: { [name]: entry },
    outdir: staging,
    outExtension: { ".js": ".cjs" },
    minifySyntax: true,
    minifyWhitespace: !readable,
    plugins: [platformNodeWithoutUndici, pgWithoutCloudflareProbe],
    define: { "import.meta.url": "__importMetaUrl" },
    banner: { js: "var __importMetaUrl=require(\"node:url\").pathToFileURL(__filename).href;" },
    // Loaded on demand: the WASM engine for pglite: URLs, and tsx for .ts migrations.
    external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "tsx", "tsx/*", "pg-native"]
  })
  const bundleFile = path.join(staging, `${name}.cjs`)
  let count = 0
  const bundle = (await readFile(bundleFile, "utf8")).replace(/(?<![\w$.])import\(/g, () => {
    count++
    return "__import("
  })
  if (count === 0) throw new Error(`expected dynamic import() calls in the ${name} bundle`)
  await writeFile(bundleFile, bundle)
  return {
    // An ASCII bundle is read as latin1: the same string, without UTF-8 validation.
    encoding: /[^\x00-\x7f]/.test(bundle) ? "utf8" : "latin1",
    // The bundle's own hash names its cache, so a cache is never used with another build's code.
    hash: createHash("sha256").update(bundle).digest("hex").slice(0, 16)
  }
}

await Promise.all([
  Promise.all([cliBundle("cli", "src/cli/main.ts"), cliBundle("up", "src/cli/quickUp.ts")]).then(([cli, up]) =>
    writeFile(path.join(staging, "cli.js"), cliEntry.replace("@BUNDLES@", JSON.stringify({ cli, up })))
  ),
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
