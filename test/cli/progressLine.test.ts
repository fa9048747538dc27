import { describe, expect, it } from "@effect/vitest"
import { ProgressLine } from "../../src/cli/progress.js"

const lines = () => {
  const written: Array<string> = []
  const progress = new ProgressLine((text) => void written.push(text))
  const shown = () => written.filter((text) => text.includes("⏳")).map((text) => text.replace(/^\r\x1b\[K/, "").replace(/ · \d+s$/, ""))
  return { progress, shown }
}

describe("progress line", () => {
  it("advances per migration, one at a time", () => {
    const { progress, shown } = lines()
    progress.observe("db_migration_pending", { pending: 3 })
    progress.observe("db_migration_applied", {})
    progress.observe("db_migration_applied", {})
    progress.stop()
    expect(shown()).toEqual(["⏳ migration 1 of 3", "⏳ migration 2 of 3", "⏳ migration 3 of 3"])
  })

  it("shows a group sent together as running, then advances per migration as each is recorded", () => {
    const { progress, shown } = lines()
    progress.observe("db_migration_pending", { pending: 5 })
    progress.observe("db_migration_group_started", { size: 3 })
    for (let i = 0; i < 3; i++) progress.observe("db_migration_applied", {})
    progress.stop()
    expect(shown()).toEqual([
      "⏳ migration 1 of 5",
      "⏳ migrations 1–3 of 5",
      "⏳ migrations 2–3 of 5",
      "⏳ migration 3 of 5",
      "⏳ migration 4 of 5"
    ])
  })
})
