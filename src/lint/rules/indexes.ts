import type { Node } from "libpg-query"
import { stringOf, tableKey } from "../ast.js"
import type { RuleHit } from "../finding.js"
import type { Rule, RuleContext } from "./rule.js"

const inTransaction = (what: string, context: RuleContext): ReadonlyArray<RuleHit> =>
  context.transactional
    ? [{
      rule: "concurrently-in-transaction",
      offset: context.start,
      message: `${what} cannot run inside a transaction block, and this migration runs in one: it fails`
    }]
    : []

const hasOption = (options: ReadonlyArray<Node> | undefined, name: string) =>
  (options ?? []).some((option) => "DefElem" in option && option.DefElem.defname === name)

/** CREATE INDEX, DROP INDEX, REINDEX and REFRESH MATERIALIZED VIEW, with and without CONCURRENTLY. */
export const indexes: Rule = (node, context) => {
  const { knowledge } = context
  if ("IndexStmt" in node) {
    const table = tableKey(node.IndexStmt.relation)
    if (node.IndexStmt.concurrent === true) return inTransaction("CREATE INDEX CONCURRENTLY", context)
    if (knowledge.isNew(table)) return []
    return [{
      rule: "index-without-concurrently",
      offset: context.start,
      message: `CREATE INDEX on ${table} without CONCURRENTLY blocks writes to ${table} while it scans the whole table`
    }]
  }
  if ("DropStmt" in node && node.DropStmt.removeType === "OBJECT_INDEX") {
    if (node.DropStmt.concurrent === true) return inTransaction("DROP INDEX CONCURRENTLY", context)
    const names = (node.DropStmt.objects ?? []).map((object) => ("List" in object ? stringOf(object.List.items?.at(-1)) : undefined) ?? "")
    const old = names.filter((name) => !knowledge.isNew(name))
    return old.length === 0 ? [] : [{
      rule: "drop-index-without-concurrently",
      offset: context.start,
      message: `DROP INDEX ${old.join(", ")} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, ` +
        "queued behind every running query and blocking reads and writes meanwhile"
    }]
  }
  if ("ReindexStmt" in node) {
    if (hasOption(node.ReindexStmt.params, "concurrently")) return inTransaction("REINDEX CONCURRENTLY", context)
    const target = tableKey(node.ReindexStmt.relation) || node.ReindexStmt.name || ""
    return knowledge.isNew(target) ? [] : [{
      rule: "reindex-without-concurrently",
      offset: context.start,
      message: `REINDEX ${target} without CONCURRENTLY blocks writes (and reads using the index) while it rebuilds`
    }]
  }
  if ("RefreshMatViewStmt" in node && node.RefreshMatViewStmt.concurrent !== true) {
    const view = tableKey(node.RefreshMatViewStmt.relation)
    return knowledge.isNew(view) ? [] : [{
      rule: "refresh-without-concurrently",
      offset: context.start,
      message: `REFRESH MATERIALIZED VIEW ${view} without CONCURRENTLY blocks reads of the view until it is rebuilt`
    }]
  }
  return []
}
