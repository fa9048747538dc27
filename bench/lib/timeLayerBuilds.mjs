// Times building a layer in this process: the first build, the median of the next 5 ("warm", the target's
// figure), and the median of builds 12 to 21 ("steady": what a long test suite or an app that rebuilds its layers
// sees once V8 has optimised the code). Prints {"ms", "warmMs", "steadyMs"} on stdout, the line run.mjs reads.
import { Effect, Layer } from "effect"

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

export const printLayerBuildTimes = async (layer) => {
  const build = Effect.scoped(Layer.build(layer))
  const time = async () => {
    const started = performance.now()
    await Effect.runPromise(build)
    return performance.now() - started
  }
  const times = []
  for (let i = 0; i < 21; i++) times.push(await time())
  process.stdout.write(JSON.stringify({ ms: times[0], warmMs: median(times.slice(1, 6)), steadyMs: median(times.slice(11, 21)) }) + "\n")
}
