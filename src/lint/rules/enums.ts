import type { RuleHit } from "../finding.js"
import { walk } from "../ast.js"
import type { Rule } from "./rule.js"

/** A value added by ALTER TYPE ... ADD VALUE earlier in the same transaction, used by a later statement. */
export const enums: Rule = (node, context) => {
  if (!context.transactional || context.addedEnumValues.size === 0 || "AlterEnumStmt" in node) return []
  const hits: Array<RuleHit> = []
  walk(node, (type, child) => {
    if (type !== "A_Const") return
    const value = (child.sval as { readonly sval?: string } | undefined)?.sval
    if (value !== undefined && context.addedEnumValues.has(value)) {
      hits.push({
        rule: "enum-value-used-in-transaction",
        offset: typeof child.location === "number" ? child.location : context.start,
        message: `enum value '${value}' is added earlier in this transaction and cannot be used before it commits ` +
          "(unsafe use of new value)"
      })
    }
  })
  return hits
}
