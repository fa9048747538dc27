import type { LegacyDb } from "effect-migrate"

// The older style, kept for teams porting an existing system: `db.query` runs inside the
// migration's transaction, and returning false fails the migration.
export const name = "Add User Preferences"
export const description = "Per-user settings (theme, locale, notifications) with defaults."

export default async function addUserPreferences(db: LegacyDb): Promise<boolean> {
  await db.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS preferences jsonb NOT NULL DEFAULT '{}'::jsonb`)
  await db.query(`ALTER TABLE users ADD COLUMN IF NOT EXISTS locale text NOT NULL DEFAULT 'en'`)
  const { rows } = await db.query(
    `SELECT count(*)::int AS missing FROM information_schema.columns
      WHERE table_name = 'users' AND column_name IN ('preferences', 'locale') AND table_schema = current_schema()`
  )
  return rows[0]?.missing === 2
}

export async function down(db: LegacyDb): Promise<boolean> {
  await db.query(`ALTER TABLE users DROP COLUMN IF EXISTS locale`)
  await db.query(`ALTER TABLE users DROP COLUMN IF EXISTS preferences`)
  return true
}
