import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { makeApp } from "./app.js"

// A directory, not pglite:memory: MigrationsLayer closes its connection before the app opens its own.
const root = mkdtempSync(path.join(tmpdir(), "effect-migrate-http-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const environment = ConfigProvider.fromMap(new Map([["DATABASE_URL", `pglite:${path.join(root, "db")}`]]))

// The whole app as main.ts starts it, on port 0, with an HttpClient pointed at it.
const TestApp = makeApp(NodeHttpServer.layerTest).pipe(Layer.provide(Layer.setConfigProvider(environment)))

layer(TestApp, { timeout: "120 seconds", excludeTestServices: true })("examples/http-server", (it) => {
  it.effect("starts after the migrations, with the journal complete", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ status: string }>`SELECT status FROM migrations`
      expect(rows.map((row) => row.status)).toEqual(["applied", "applied", "applied", "applied", "applied"])
      const health = yield* HttpClient.get("/health")
      expect(health.status).toBe(200)
      expect(yield* health.text).toBe("ok")
    }))

  it.effect("serves organizations from the migrated table", () =>
    Effect.gen(function*() {
      const empty = yield* HttpClient.get("/organizations")
      expect(yield* empty.json).toEqual([])

      const created = yield* HttpClientRequest.post("/organizations").pipe(
        HttpClientRequest.bodyUnsafeJson({ name: "Acme", slug: "acme" }),
        HttpClient.execute
      )
      expect(created.status).toBe(201)

      const listed = yield* HttpClient.get("/organizations")
      expect(listed.status).toBe(200)
      expect(yield* listed.json).toEqual([{ id: expect.any(String), name: "Acme", slug: "acme" }])
    }))

  it.effect("rejects an organization the schema would refuse", () =>
    Effect.gen(function*() {
      const response = yield* HttpClientRequest.post("/organizations").pipe(
        HttpClientRequest.bodyUnsafeJson({ name: "Bad", slug: "Not A Slug" }),
        HttpClient.execute
      )
      expect(response.status).toBe(400)
    }))
})
