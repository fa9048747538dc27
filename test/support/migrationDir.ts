import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll } from "vitest"

/** `import * as Migration from <this>` in a fixture module: `Migration.make` without a build of the package. */
export const migrationModuleUrl = pathToFileURL(path.resolve("src/migration.ts")).href

/**
 * A fresh directory in the system temp dir holding the given files (name → content), with `node_modules`
 * linked to the project's so fixture modules can import `effect`. Removed after the test file.
 */
export const migrationDir = async (files: Record<string, string>): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "effect-migrate-fixture-"))
  created.push(dir)
  await symlink(path.resolve("node_modules"), path.join(dir, "node_modules"), "dir")
  await writeFiles(dir, files)
  return dir
}

export const writeFiles = async (dir: string, files: Record<string, string>): Promise<void> => {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
}

const created: Array<string> = []

afterAll(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})
