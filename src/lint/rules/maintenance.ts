import { tableKey } from "../ast.js"
import type { Rule } from "./rule.js"

/** VACUUM FULL, CLUSTER and LOCK TABLE: exclusive locks for as long as they take. */
export const maintenance: Rule = (node, context) => {
  if ("VacuumStmt" in node) {
    const full = (node.VacuumStmt.options ?? []).some((option) => "DefElem" in option && option.DefElem.defname === "full")
    return full
      ? [{ rule: "vacuum-full", offset: context.start, message: "VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock" }]
      : []
  }
  if ("ClusterStmt" in node) {
    const table = tableKey(node.ClusterStmt.relation)
    return context.knowledge.isNew(table) && table !== "" ? [] : [{
      rule: "cluster",
      offset: context.start,
      message: `CLUSTER ${table || "(every clustered table)"} rewrites the table under an ACCESS EXCLUSIVE lock`
    }]
  }
  if ("LockStmt" in node) {
    const tables = (node.LockStmt.relations ?? []).map((relation) => ("RangeVar" in relation ? tableKey(relation.RangeVar) : ""))
    const old = tables.filter((table) => !context.knowledge.isNew(table))
    return old.length === 0 ? [] : [{
      rule: "lock-table",
      offset: context.start,
      message: `LOCK TABLE ${old.join(", ")} holds the lock until the migration commits, blocking others all along`
    }]
  }
  return []
}
