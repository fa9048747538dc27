import { isMigrationFile } from "./fileName.js"

/** Whose naming a migration file follows; every layout is read in place, with the id its tool gives it. */
export type Layout = "effect-migrate" | "golang-migrate" | "flyway" | "diesel" | "prisma"

/** One migration as found in a directory: its up file, and a separate down file for layouts that have one. */
export interface MigrationEntry {
  readonly layout: Layout
  /** The up file (or module), relative to the directory. */
  readonly path: string
  /** `<timestamp>_<slug>.<ext>`: what the timestamp and slug are read from. */
  readonly fileName: string
  /** The migration's id when it is not `fileName` without its extension. */
  readonly id?: string | undefined
  /** The separate down file, relative to the directory. */
  readonly downPath?: string | undefined
}

export interface DirectoryLayout {
  /** Sorted by path. */
  readonly entries: ReadonlyArray<MigrationEntry>
  /** Names that are no migration of any layout, to be named in a warning. */
  readonly ignored: ReadonlyArray<string>
}

/** Set aside by convention, never mentioned: hidden (a ConfigMap's `..data`), `_`-prefixed, docs and tools' own files. */
export const quietlySkipped = (name: string) =>
  name.startsWith(".") || name.startsWith("_") || name === "node_modules" || name === "migration_lock.toml" ||
  /^(readme|license)\b|\.md$/i.test(name)

const pair = /^(.+)\.up\.sql$/
const flyway = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/

/**
 * A Flyway version (`1`, `1.2`, `2_1_3`) as one number that orders like it: up to 4 components below 1000 each;
 * any other version (a date such as 20240101120000) by its first component.
 */
export const flywayOrder = (version: string): number => {
  const parts = version.split(/[._]/).map(Number)
  if (parts.length > 4 || parts.some((part) => part >= 1000)) return parts[0]!
  return parts.reduce((total, part, index) => total + part * 1000 ** (3 - index), 0)
}

/** diesel's `2024-01-01-000000_name` folder as `20240101000000_name`. */
const dieselFileName = (folder: string) => {
  const match = /^(\d{4}-\d{2}-\d{2}-\d{6})(_.*)?$/.exec(folder)
  return `${match === null ? folder : match[1]!.replaceAll("-", "") + (match[2] ?? "")}.sql`
}

/**
 * Sorts a directory's names (and, for its folders, their entries) into migrations of each layout and the rest:
 * `<id>.up.sql`/`.down.sql` pairs (golang-migrate, sqlx), Flyway `V<version>__<name>.sql` with `U` undo files,
 * diesel `<id>/up.sql` (+ `down.sql`) and Prisma `<id>/migration.sql` folders, and our own `<timestamp>_<slug>` files
 * (which also hold dbmate's, goose's and node-pg-migrate's annotated SQL).
 */
export const classify = (names: ReadonlyArray<string>, folders: ReadonlyMap<string, ReadonlyArray<string>>): DirectoryLayout => {
  const present = new Set(names)
  const undo = new Map<string, string>()
  const versions = new Set<string>()
  for (const name of names) {
    const match = flyway.exec(name)
    if (match?.[1] === "U") undo.set(match[2]!, name)
    if (match?.[1] === "V") versions.add(match[2]!)
  }
  const entries: Array<MigrationEntry> = []
  const ignored: Array<string> = []
  for (const name of [...names].sort()) {
    const contents = folders.get(name)
    const up = pair.exec(name)
    const versioned = flyway.exec(name)
    if (quietlySkipped(name)) continue
    if (contents !== undefined) {
      if (contents.includes("up.sql")) {
        const down = contents.includes("down.sql") ? `${name}/down.sql` : undefined
        entries.push({ layout: "diesel", path: `${name}/up.sql`, fileName: dieselFileName(name), id: name, downPath: down })
      } else if (contents.includes("migration.sql")) {
        entries.push({ layout: "prisma", path: `${name}/migration.sql`, fileName: `${name}.sql`, id: name })
      } else if (!(name === "meta" && contents.includes("_journal.json"))) ignored.push(name)
    } else if (up !== null) {
      const down = `${up[1]}.down.sql`
      entries.push({
        layout: "golang-migrate",
        path: name,
        fileName: `${up[1]}.sql`,
        downPath: present.has(down) ? down : undefined
      })
    } else if (name.endsWith(".down.sql") && present.has(name.replace(/\.down\.sql$/, ".up.sql"))) {
      continue
    } else if (versioned !== null) {
      if (versioned[1] === "U" && versions.has(versioned[2]!)) continue
      if (versioned[1] === "U") ignored.push(name)
      else {
        entries.push({
          layout: "flyway",
          path: name,
          fileName: `${flywayOrder(versioned[2]!)}_${versioned[3]}.sql`,
          id: name.slice(0, -".sql".length),
          downPath: undo.get(versioned[2]!)
        })
      }
    } else if (isMigrationFile(name)) entries.push({ layout: "effect-migrate", path: name, fileName: name })
    else ignored.push(name)
  }
  return { entries, ignored }
}
