import type { ColumnType } from "../ast.js"

const textual = new Set(["text", "varchar"])

/** Modifiers that allow at least what `before` allowed (none means unlimited). */
const widens = (before: ReadonlyArray<number>, after: ReadonlyArray<number>): boolean =>
  after.length === 0 || (before.length > 0 && after[0]! >= before[0]! && (after[1] ?? 0) === (before[1] ?? 0))

/**
 * Whether PostgreSQL changes `before` to `after` without rewriting the table or scanning it: binary-coercible
 * changes only (varchar widening, varchar to text, numeric precision up with the same scale, cidr to inet).
 * With `before` unknown, a change to text, to varchar or to numeric is taken for a widening.
 */
export const changeIsSafe = (before: ColumnType | undefined, after: ColumnType, using: boolean): boolean => {
  if (using) return false
  if (before === undefined) return !after.array && (textual.has(after.name) || after.name === "numeric")
  if (before.array !== after.array) return false
  if (before.name === after.name) {
    if (["varchar", "numeric", "varbit", "bit", "bpchar"].includes(after.name)) {
      return after.name === "bit" || after.name === "bpchar"
        ? after.modifiers.join() === before.modifiers.join()
        : widens(before.modifiers, after.modifiers)
    }
    return after.modifiers.length === 0 || after.modifiers.join() === before.modifiers.join()
  }
  if (textual.has(before.name) && textual.has(after.name)) return after.name === "text" || after.modifiers.length === 0
  return before.name === "cidr" && after.name === "inet"
}
