import { Effect } from "effect"
import { runMigrationsLive } from "../program.js"
import type { Selection } from "../stages/execute.js"
import { alreadyLogged, withSettings } from "./environment.js"
import { ExitCode } from "./exitCode.js"

/** `up`: the pending migrations (or the selected ones), then the RLS file; the report decides the exit code. */
export const applyUp = (selection: Selection, rls: boolean) =>
  withSettings(
    () =>
      runMigrationsLive({ selection, rls }).pipe(
        // runMigrationsLive has logged its abort line already.
        Effect.tapError((error) => Effect.sync(() => alreadyLogged(error))),
        Effect.tap((report) =>
          Effect.sync(() => {
            process.exitCode = report.success ? ExitCode.success : ExitCode.failed
          })
        )
      ),
    { progress: true }
  )
