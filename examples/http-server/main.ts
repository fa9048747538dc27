import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Config, Layer } from "effect"
import { createServer } from "node:http"
import { makeApp } from "./app.js"

// DATABASE_URL=pglite:.pglite/example npx tsx examples/http-server/main.ts   (PORT, default 3000)
const server = NodeHttpServer.layerConfig(createServer, { port: Config.integer("PORT").pipe(Config.withDefault(3000)) })

makeApp(server).pipe(Layer.launch, NodeRuntime.runMain({ disablePrettyLogger: true }))
