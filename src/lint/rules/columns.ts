import type { AlterTableCmd, ColumnDef, Constraint } from "libpg-query"
import { calledFunctions, columnKey, columnType, isSerial } from "../ast.js"
import type { RuleHit } from "../finding.js"
import { alterOldTable } from "./constraints.js"
import { at, type Rule, type RuleContext } from "./rule.js"
import { changeIsSafe } from "./typeChange.js"

/** Functions whose value differs per row: a default calling them is evaluated for every existing row (a rewrite). */
const volatileFunctions = new Set([
  "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7",
  "clock_timestamp", "timeofday", "nextval", "txid_current", "pg_current_xact_id", "gen_random_bytes", "random_normal"
])

const constraintsOf = (column: ColumnDef): ReadonlyArray<Constraint> =>
  (column.constraints ?? []).flatMap((node) => ("Constraint" in node ? [node.Constraint] : []))

const addColumn = (table: string, column: ColumnDef, context: RuleContext): ReadonlyArray<RuleHit> => {
  const name = column.colname ?? ""
  const constraints = constraintsOf(column)
  const byType = (type: string) => constraints.find((constraint) => constraint.contype === type)
  const fallback = byType("CONSTR_DEFAULT")
  const generated = byType("CONSTR_GENERATED") ?? byType("CONSTR_IDENTITY")
  const volatile = fallback === undefined ? [] : calledFunctions(fallback.raw_expr).filter((fn) => volatileFunctions.has(fn))
  const hits: Array<RuleHit> = []
  if (volatile.length > 0 || generated !== undefined || isSerial(column.typeName)) {
    const why = volatile.length > 0
      ? `its default calls ${volatile[0]}(), evaluated for every existing row`
      : generated !== undefined ? "a generated or identity column is computed for every existing row" : "serial fills every existing row from a sequence"
    hits.push({
      rule: "add-column-volatile-default",
      offset: at(fallback?.location ?? generated?.location ?? column.location, context),
      message: `adding ${name} to ${table} rewrites the table under an ACCESS EXCLUSIVE lock: ${why}`
    })
  } else if (byType("CONSTR_NOTNULL") !== undefined && fallback === undefined) {
    hits.push({
      rule: "add-column-required-without-default",
      offset: at(column.location, context),
      message: `adding ${name} to ${table} as NOT NULL without a default fails as soon as ${table} has a row`
    })
  }
  return hits
}

const alterColumn = (table: string, command: AlterTableCmd, context: RuleContext): ReadonlyArray<RuleHit> => {
  const column = command.name ?? ""
  const def = command.def
  if (command.subtype === "AT_SetNotNull") {
    return context.knowledge.provenNotNull.has(columnKey(table, column)) ? [] : [{
      rule: "set-not-null-without-check",
      offset: context.start,
      message: `SET NOT NULL on ${table}.${column} scans the whole table under an ACCESS EXCLUSIVE lock ` +
        "(no validated CHECK (... IS NOT NULL) was seen before it)"
    }]
  }
  if (command.subtype === "AT_AlterColumnType" && def !== undefined && "ColumnDef" in def) {
    const before = context.knowledge.columnTypes.get(columnKey(table, column))
    const after = columnType(def.ColumnDef.typeName)
    if (changeIsSafe(before, after, def.ColumnDef.raw_default !== undefined)) return []
    const from = before === undefined ? "" : ` from ${before.name}${before.modifiers.length > 0 ? `(${before.modifiers.join(",")})` : ""}`
    const to = `${after.name}${after.modifiers.length > 0 ? `(${after.modifiers.join(",")})` : ""}`
    return [{
      rule: "column-type-rewrite",
      offset: at(def.ColumnDef.location, context),
      message: `changing ${table}.${column}${from} to ${to} rewrites (or scans) the table under an ACCESS EXCLUSIVE lock`
    }]
  }
  return []
}

/** Column changes on an existing table: NOT NULL, type changes, and new columns that fill every row. */
export const columns: Rule = (node, context) => {
  const alter = alterOldTable(node, context)
  if (alter === undefined) return []
  return alter.commands.flatMap((command) => {
    const def = command.def
    if (command.subtype === "AT_AddColumn" && def !== undefined && "ColumnDef" in def) {
      return addColumn(alter.table, def.ColumnDef, context)
    }
    return alterColumn(alter.table, command, context)
  })
}
