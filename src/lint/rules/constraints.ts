import type { AlterTableCmd, Constraint } from "libpg-query"
import { tableKey } from "../ast.js"
import type { RuleHit } from "../finding.js"
import { at, type Rule, type RuleContext } from "./rule.js"

/** The commands of an ALTER TABLE on a table that existed before this migration ran, with the table's name. */
export const alterOldTable = (node: Parameters<Rule>[0], context: RuleContext) => {
  if (!("AlterTableStmt" in node) || (node.AlterTableStmt.objtype ?? "OBJECT_TABLE") !== "OBJECT_TABLE") return undefined
  const table = tableKey(node.AlterTableStmt.relation)
  if (context.knowledge.isNew(table)) return undefined
  const commands = (node.AlterTableStmt.cmds ?? []).flatMap((command) => ("AlterTableCmd" in command ? [command.AlterTableCmd] : []))
  return { table, commands }
}

const constraintHit = (table: string, constraint: Constraint, context: RuleContext): ReadonlyArray<RuleHit> => {
  const offset = at(constraint.location, context)
  const name = constraint.conname === undefined ? "" : ` ${constraint.conname}`
  switch (constraint.contype) {
    case "CONSTR_FOREIGN":
      return constraint.skip_validation === true ? [] : [{
        rule: "foreign-key-without-not-valid",
        offset,
        message: `foreign key${name} on ${table} is validated at once: a full scan of ${table} that blocks writes ` +
          `to it and to ${tableKey(constraint.pktable)}`
      }]
    case "CONSTR_CHECK":
      return constraint.skip_validation === true ? [] : [{
        rule: "check-without-not-valid",
        offset,
        message: `CHECK constraint${name} on ${table} is validated at once: a full scan under an ACCESS EXCLUSIVE lock`
      }]
    case "CONSTR_UNIQUE":
    case "CONSTR_PRIMARY":
    case "CONSTR_EXCLUSION":
      return constraint.indexname !== undefined ? [] : [{
        rule: "unique-constraint-without-index",
        offset,
        message: `adding a ${constraint.contype.slice(7).toLowerCase()} constraint${name} to ${table} builds its index ` +
          "under an ACCESS EXCLUSIVE lock, blocking reads and writes"
      }]
    default:
      return []
  }
}

const columnConstraints = (command: AlterTableCmd): ReadonlyArray<Constraint> => {
  const def = command.def
  if (command.subtype !== "AT_AddColumn" || def === undefined || !("ColumnDef" in def)) return []
  return (def.ColumnDef.constraints ?? []).flatMap((node) =>
    "Constraint" in node && ["CONSTR_UNIQUE", "CONSTR_PRIMARY"].includes(node.Constraint.contype ?? "") ? [node.Constraint] : []
  )
}

/** Constraints added to an existing table that scan it, or build an index, under a lock. */
export const constraints: Rule = (node, context) => {
  const alter = alterOldTable(node, context)
  if (alter === undefined) return []
  return alter.commands.flatMap((command) => {
    const def = command.def
    if (command.subtype === "AT_AddConstraint" && def !== undefined && "Constraint" in def) {
      return constraintHit(alter.table, def.Constraint, context)
    }
    return columnConstraints(command).flatMap((constraint) => constraintHit(alter.table, constraint, context))
  })
}
