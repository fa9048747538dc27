// Times building a layer in this process: the first build, then the median of 5 more. Prints
// {"ms": first, "warmMs": median} on stdout, the line run.mjs reads for the in-process workload.
import { Effect, Layer } from "effect"

export const printLayerBuildTimes = async (layer) => {
  const build = Effect.scoped(Layer.build(layer))
  const time = async () => {
    const started = performance.now()
    await Effect.runPromise(build)
    return performance.now() - started
  }
  const ms = await time()
  const warm = []
  for (let i = 0; i < 5; i++) warm.push(await time())
  warm.sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({ ms, warmMs: warm[2] }) + "\n")
}
