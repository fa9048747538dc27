import { describe, expect, it } from "vitest"
import { readFileSync } from "node:fs"
import { unsupportedEffect } from "../../src/package/effectVersion.js"
import { missingPackage } from "../../src/package/optionalPackage.js"
import { version } from "../../src/cli/version.js"

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/dist/cli.js`), { code: "ERR_MODULE_NOT_FOUND" })

describe("the package", () => {
  it("says an Effect 4 app is not supported, and accepts Effect 3", () => {
    expect(unsupportedEffect("4.1.5")).toContain("written for Effect 3 (effect ^3.21) and found effect 4.1.5")
    expect(unsupportedEffect("3.21.5")).toBeUndefined()
    expect(unsupportedEffect(undefined)).toBeUndefined()
  })

  it("names the optional package to install when it is missing, and passes other failures through", () => {
    const pglite = { name: "@electric-sql/pglite", range: "^0.5", purpose: "DATABASE_URL=pglite:..." }
    expect(missingPackage(pglite, notFound("@electric-sql/pglite")).message).toBe(
      "DATABASE_URL=pglite:... needs the optional package @electric-sql/pglite, which is not installed: npm install @electric-sql/pglite@^0.5"
    )
    expect(missingPackage(pglite, new Error("WASM trap")).message).toBe("WASM trap")
  })

  it("reports the version of package.json", () => {
    expect(version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version)
  })
})
