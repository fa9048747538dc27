import { stringOf, tableKey } from "../ast.js"
import type { RuleHit } from "../finding.js"
import { alterOldTable } from "./constraints.js"
import type { Rule } from "./rule.js"

const stillUsed = "the running app (the version deployed now, until the new one replaces it) may still use it"

/** DROP COLUMN, DROP TABLE and renames of tables or columns that existed before this migration. */
export const destructive: Rule = (node, context) => {
  const { knowledge } = context
  if ("DropStmt" in node && node.DropStmt.removeType === "OBJECT_TABLE") {
    const tables = (node.DropStmt.objects ?? []).map((object) => ("List" in object ? stringOf(object.List.items?.at(-1)) : undefined) ?? "")
    const old = tables.filter((table) => !knowledge.isNew(table))
    return old.length === 0 ? [] : [{ rule: "drop-table", offset: context.start, message: `DROP TABLE ${old.join(", ")}: ${stillUsed}` }]
  }
  if ("RenameStmt" in node) {
    const { newname, relation, renameType, subname } = node.RenameStmt
    const table = tableKey(relation)
    if (knowledge.isNew(table)) return []
    if (renameType === "OBJECT_COLUMN") {
      return [{ rule: "rename-column", offset: context.start, message: `renaming ${table}.${subname} to ${newname}: ${stillUsed}` }]
    }
    if (renameType === "OBJECT_TABLE") {
      return [{ rule: "rename-table", offset: context.start, message: `renaming table ${table} to ${newname}: ${stillUsed}` }]
    }
    return []
  }
  const alter = alterOldTable(node, context)
  if (alter === undefined) return []
  return alter.commands.flatMap((command): ReadonlyArray<RuleHit> =>
    command.subtype === "AT_DropColumn"
      ? [{ rule: "drop-column", offset: context.start, message: `DROP COLUMN ${alter.table}.${command.name}: ${stillUsed}` }]
      : []
  )
}
