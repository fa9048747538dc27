/**
 * Module hooks for migration modules (registered with Node's `module.register`; they run on Node's loader thread).
 * Built as dist/moduleHooks.js beside the CLI, which passes its own URL in `initialize`.
 */
import { readFileSync } from "node:fs"

interface ResolveContext {
  readonly parentURL?: string | undefined
}
interface LoadContext {
  readonly format?: string | null | undefined
}
type Resolved = { readonly url: string; readonly format?: string | null | undefined }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<Resolved>
type NextLoad = (url: string, context: LoadContext) => Promise<unknown>

let cliUrl: string | undefined

export const initialize = (data: { readonly cliUrl: string }): void => {
  cliUrl = data.cliUrl
}

const isBare = (specifier: string) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !specifier.startsWith("/")

/**
 * A bare specifier (`effect-migrate`, `effect`, `@effect/sql`) that a migration cannot resolve from its own
 * directory, e.g. a MIGRATIONS_DIR outside any project, is resolved from the CLI's installation instead. Normal
 * resolution always comes first.
 */
export const resolve = async (specifier: string, context: ResolveContext, next: NextResolve): Promise<Resolved> => {
  try {
    return await next(specifier, context)
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined
    if (cliUrl === undefined || !isBare(specifier) || code !== "ERR_MODULE_NOT_FOUND") throw error
    return next(specifier, { ...context, parentURL: cliUrl })
  }
}

/** An `import`/`export` statement (not TypeScript's `import x = require(...)`). */
const moduleSyntax = /^[ \t]*(import[ \t]*[{*"']|import[ \t]+(?![\w$]+[ \t]*=)[\w$]|export[ \t]*[{*\w])/m

const isOwnTypeScript = (url: string) =>
  url.startsWith("file:") && /\.ts$/.test(new URL(url).pathname) && !url.includes("/node_modules/")

/**
 * A `.ts` file written with import/export outside a `"type": "module"` package (a migration directory without a
 * package.json, or in a CommonJS project) is loaded as an ES module, as Node does for such `.js` files: its imports then
 * go through `resolve` above, which CommonJS `require` calls would not.
 */
export const load = (url: string, context: LoadContext, next: NextLoad): Promise<unknown> =>
  context.format === "commonjs" && isOwnTypeScript(url) && moduleSyntax.test(readFileSync(new URL(url), "utf8"))
    ? next(url, { ...context, format: "module" })
    : next(url, context)
