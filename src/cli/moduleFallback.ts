import Module, { createRequire, register } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { onFirstModuleImport } from "../source/moduleFile.js"

/**
 * Lets a migration module import `effect-migrate`, `effect`, `@effect/sql`... from the CLI's own installation
 * when its directory cannot (a MIGRATIONS_DIR outside any project, e.g. in /tmp). Normal resolution always
 * comes first; only bare specifiers that it cannot find fall back.
 */

const isBare = (specifier: string) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !path.isAbsolute(specifier)

const ownEntries: Record<string, string> = { "effect-migrate": "index.js", "effect-migrate/testing": "testing.js" }

/** ESM: a resolve hook that retries from the CLI's location. */
const esmHook = (cliUrl: string) =>
  `const cli = ${JSON.stringify(cliUrl)};
const bare = (s) => !/^(\\.{0,2}\\/|[a-z][a-z0-9+.-]*:)/i.test(s) && !s.startsWith("/");
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!bare(specifier) || error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    return next(specifier, { ...context, parentURL: cli });
  }
}`

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string

export const installModuleFallback = (cliUrl: string): void => {
  const cliDir = path.dirname(fileURLToPath(cliUrl))
  const cliRequire = createRequire(cliUrl)
  const loader = Module as unknown as { _resolveFilename: ResolveFilename }
  const original = loader._resolveFilename
  // CommonJS (a .ts migration outside a `"type": "module"` package is compiled to require calls).
  loader._resolveFilename = function(request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options)
    } catch (error) {
      const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined
      const own = ownEntries[request]
      // Our package exports ESM only: `require("effect-migrate")` from a CommonJS project gets this build.
      if (own !== undefined && (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED")) {
        return path.join(cliDir, own)
      }
      if (!isBare(request) || code !== "MODULE_NOT_FOUND") throw error
      return cliRequire.resolve(request)
    }
  }
  // Only once a migration module is imported: starting the ESM hook thread costs ~50 ms of every run.
  onFirstModuleImport(() => register(`data:text/javascript,${encodeURIComponent(esmHook(cliUrl))}`))
}
