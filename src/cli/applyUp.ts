import { Effect } from "effect"
import { runMigrationsLive } from "../program.js"
import type { Selection } from "../stages/execute.js"
import { runCommand } from "./environment.js"
import { reported } from "./exitCode.js"
import type { GlobalOptions } from "./globalOptions.js"

/** `up`: the pending migrations (or the selected ones), then the RLS file; a failure in the report fails the run. */
export const applyUp = (flags: GlobalOptions, selection: Selection, rls: boolean) =>
  runCommand(flags, { progress: true }, () =>
    runMigrationsLive({ selection, rls }).pipe(
      // runMigrationsLive has logged its abort line, and the report its failures.
      Effect.mapError(reported),
      Effect.flatMap((report) => (report.failure === undefined ? Effect.void : Effect.fail(reported(report.failure))))
    ))
