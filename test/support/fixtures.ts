import type { JournalEntry } from "../../src/journal/Journal.js"
import type { Migration } from "../../src/migration.js"

/** A registered SQL migration (`SELECT 1`), with whatever the test cares about overridden. */
export const sqlMigration = (fields: Partial<Migration> & { readonly id: string; readonly timestamp: number }): Migration => ({
  name: fields.id,
  description: undefined,
  up: { _tag: "Sql", sql: "SELECT 1" },
  down: undefined,
  transaction: true,
  timeoutMs: undefined,
  checksum: undefined,
  source: "code",
  ...fields
})

/** A journal row, `applied` unless said otherwise. */
export const journalEntry = (fields: Partial<JournalEntry> & { readonly id: string }): JournalEntry => ({
  name: fields.id,
  description: null,
  appliedAt: new Date(0),
  durationMs: 1,
  status: "applied",
  checksum: null,
  error: null,
  timestamp: null,
  ...fields
})
