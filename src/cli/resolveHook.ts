import { register } from "node:module"
import { onFirstModuleImport } from "../source/moduleFile.js"

/**
 * Registers the module hooks (dist/moduleHooks.js, see src/cli/moduleHooks.ts) just before the first migration
 * module is imported, never for `.sql`-only directories: registering starts a loader thread (~50 ms).
 */
export const resolveFromCli = (cliUrl: string): void =>
  onFirstModuleImport(() => register(new URL("./moduleHooks.js", cliUrl), { data: { cliUrl } }))
