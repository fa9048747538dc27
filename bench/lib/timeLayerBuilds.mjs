// Times one unit of in-process work repeatedly in this process: the first run, the median of the next 5 ("warm", the
// target's figure), and the median of runs 12 to 21 ("steady": what a long test suite or an app that rebuilds its
// layers sees once V8 has optimised the code). Prints {"ms", "warmMs", "steadyMs"} on stdout, the line run.mjs reads.
import { Effect, Layer } from "effect"

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** `run` is called 21 times, one after the other. */
export const printRunTimes = async (run) => {
  const times = []
  for (let i = 0; i < 21; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  process.stdout.write(JSON.stringify({ ms: times[0], warmMs: median(times.slice(1, 6)), steadyMs: median(times.slice(11, 21)) }) + "\n")
}

/** Each run builds `layer` (and releases it). */
export const printLayerBuildTimes = (layer) => {
  const build = Effect.scoped(Layer.build(layer))
  return printRunTimes(() => Effect.runPromise(build))
}
