import { tableKey } from "../ast.js"
import type { Rule } from "./rule.js"

/** UPDATE or DELETE of an existing table: unbounded (no WHERE), or mixed into a migration that changes the schema. */
export const backfill: Rule = (node, context) => {
  const target = "UpdateStmt" in node
    ? { verb: "UPDATE", relation: node.UpdateStmt.relation, where: node.UpdateStmt.whereClause }
    : "DeleteStmt" in node
    ? { verb: "DELETE", relation: node.DeleteStmt.relation, where: node.DeleteStmt.whereClause }
    : undefined
  if (target === undefined) return []
  const table = tableKey(target.relation)
  if (context.knowledge.isNew(table)) return []
  if (target.where === undefined) {
    return [{
      rule: "data-backfill",
      offset: context.start,
      message: `${target.verb} of every row of ${table} in one statement: it locks each row until the migration ` +
        "commits and writes the whole table at once"
    }]
  }
  return context.schemaMigration
    ? [{
      rule: "data-backfill",
      offset: context.start,
      message: `${target.verb} of ${table} inside a schema migration: the rows stay locked, and the schema ` +
        "change's locks held, until the backfill commits"
    }]
    : []
}
