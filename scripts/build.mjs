// Builds dist/: the CLI as one bundle (start-up time is dominated by module loading), and the library
// entries with their dependencies left external so an app shares one copy of effect.
import { build } from "esbuild"
import { chmod, rm } from "node:fs/promises"

const common = {
  platform: "node",
  target: "node20",
  format: "esm",
  bundle: true,
  sourcemap: true,
  logLevel: "warning",
  legalComments: "none"
}

await rm("dist", { recursive: true, force: true })

await Promise.all([
  build({
    ...common,
    entryPoints: { cli: "src/cli/main.ts" },
    outdir: "dist",
    minifySyntax: true,
    // Loaded on demand: the WASM engine for pglite: URLs, and tsx for .ts migrations.
    external: ["@electric-sql/pglite", "@electric-sql/pglite/*", "tsx", "tsx/*", "pg-native"],
    banner: {
      js: [
        "#!/usr/bin/env node",
        "import { createRequire as __effectMigrateCreateRequire } from 'node:module';",
        "const require = __effectMigrateCreateRequire(import.meta.url);"
      ].join("\n")
    }
  }),
  build({
    ...common,
    entryPoints: { index: "src/index.ts", testing: "src/testing.ts" },
    outdir: "dist",
    packages: "external",
    splitting: true
  })
])
await chmod("dist/cli.js", 0o755)
