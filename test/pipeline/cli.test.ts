import { describe, expect, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { cliPath, runCli, useCli } from "../support/cli.js"
import { migrationDir, writeFiles } from "../support/migrationDir.js"
import { useTestDatabase } from "../support/testDatabase.js"

const db = useTestDatabase("pipeline_cli")
useCli()

const migrate = (env: Record<string, string>) => Effect.promise(() => runCli([], env, { timeoutMs: 30_000 }))

describe("npm run migrate (dist/cli.js)", () => {
  it.live("exits non-zero when a migration fails, and 0 once it is fixed", () =>
    Effect.gen(function*() {
      expect(existsSync(cliPath)).toBe(true)
      const dir = yield* Effect.promise(() =>
        migrationDir({
          "20240101000000_create_widgets.sql": "-- name: Create Widgets\nCREATE TABLE widgets (id int, user_id uuid);",
          "20240102000000_add_color.sql": "-- name: Add Color\nALTER TABLE widgets ADD COLUMN color text NOT NULL DEFAULT 'red',;"
        })
      )
      const rlsDir = yield* Effect.promise(() => migrationDir({ "rls.sql": "ALTER TABLE widgets ENABLE ROW LEVEL SECURITY;" }))
      const env = { DATABASE_URL: db.current.url, MIGRATIONS_DIR: dir, RLS_FILE: path.join(rlsDir, "rls.sql") }

      const failed = yield* migrate(env)
      expect(failed.code).toBe(1)
      const lines = failed.stdout.trim().split("\n").map((line) => line.replace(/^\[[^\]]+\] /, ""))
      // RLS ran after the failure: the table that exists got its policy.
      expect(failed.stdout).toMatch(/\[INFO\] ✅ RLS migration completed in \d+ms \(1 succeeded, 0 failed\)\n/)
      expect(lines).toContain("[ERROR] ❌ Migration process completed with errors: 1 applied, 1 failed")
      expect(lines).toContain("[ERROR] ❌ Failed migration: Add Color")
      expect(failed.stdout + failed.stderr).not.toContain("Error:")

      yield* Effect.promise(() =>
        writeFiles(dir, { "20240102000000_add_color.sql": "-- name: Add Color\nALTER TABLE widgets ADD COLUMN color text NOT NULL DEFAULT 'red';" })
      )
      const fixed = yield* migrate(env)
      expect(fixed.code).toBe(0)
      expect(fixed.stdout).toMatch(/\[INFO\] ✅ Migration Add Color: APPLIED \(\d+ms\)/)
      expect(fixed.stdout).toMatch(/\[INFO\] ✅ Database migration completed successfully in \d+ms\n$/)

      const json = yield* migrate({ ...env, LOG_FORMAT: "json" })
      expect(json.code).toBe(0)
      const events = json.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { event: string }).event)
      expect(events[0]).toBe("db_migration_started")
      expect(events.at(-1)).toBe("db_migration_completed")
    }))
})
