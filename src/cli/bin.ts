import * as nodeModule from "node:module"

// Node 22.8+ keeps V8's compiled code of the CLI between runs (in the OS temp dir; NODE_COMPILE_CACHE moves it,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): compiling the bundle is a large share of each start. Node 20 has no
// such cache. It must be on before the program's module is loaded, hence this separate entry.
if ("enableCompileCache" in nodeModule && typeof nodeModule.enableCompileCache === "function") nodeModule.enableCompileCache()

await import("./main.js")
