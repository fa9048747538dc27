import { applyUp } from "./applyUp.js"
import { installModuleFallback } from "./moduleFallback.js"
import { exitOnFailure, runAsProcess } from "./processRun.js"

/**
 * `effect-migrate` and `effect-migrate up` with no flags (settings from the environment), the command every replica
 * runs at start-up, as a bundle of its own without @effect/cli: about 20 ms less per start. dist/cli.js picks it;
 * any other arguments go to the full CLI (src/cli/main.ts), which runs the same `applyUp`.
 */
installModuleFallback(import.meta.url)

runAsProcess(exitOnFailure(applyUp({}, true)))
