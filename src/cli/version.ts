import packageJson from "../../package.json" with { type: "json" }

/** The package's version, from package.json (bundled into dist/cli-program.js at build time). */
export const version: string = packageJson.version
