import { isNotInstalled, missingPackage, type OptionalPackage } from "./optionalPackage.js"

const tsx: OptionalPackage = { name: "tsx", range: "^4", purpose: "a TypeScript migration" }

/** Node's own type stripping (`process.features.typescript`: Node ≥ 22.18 and 23.6 by default, 22.6 with a flag). */
export const nodeStripsTypes = (): boolean => {
  const features: object = process.features
  return "typescript" in features && typeof features.typescript === "string"
}

let loader: Promise<void> | undefined

/**
 * Makes `.ts` migrations importable, once and only when one is about to be imported. tsx when the app has it
 * (full TypeScript: enums, `./x.js` imports of `x.ts`), registering both of its loaders (a .ts file outside a
 * `"type": "module"` package is CommonJS to Node, and fails with the ESM one alone); otherwise Node's own type
 * stripping where the running Node has it; otherwise an error naming the package to install.
 */
export const ensureTypeScriptSupport = (): Promise<void> => {
  loader ??= Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]).then(
    ([esm, cjs]) => {
      esm.register()
      cjs.register()
    },
    (cause: unknown) =>
      nodeStripsTypes() && isNotInstalled(cause, tsx.name)
        ? undefined
        : Promise.reject(missingPackage(tsx, cause, `Node ${process.version} does not strip types itself`))
  )
  return loader
}
