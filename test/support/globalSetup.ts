import type { TestProject } from "vitest/node"
import { providePostgres } from "./postgres.mjs"

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL of the server the tests run against; each test file makes its own database there. */
    readonly adminUrl: string
  }
}

export default async function setup(project: TestProject) {
  const server = await providePostgres({ settings: { max_connections: 300 } })
  project.provide("adminUrl", server.adminUrl)
  return server.stop
}
