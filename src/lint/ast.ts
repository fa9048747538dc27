import type { Node, RangeVar, TypeName } from "libpg-query"

/** A table's key in what the linter knows: its name as PostgreSQL folds it (the schema is left out). */
export const tableKey = (relation: RangeVar | undefined): string => relation?.relname ?? ""

export const columnKey = (table: string, column: string): string => `${table}.${column}`

/** The `sval` of a `String` node. */
export const stringOf = (node: Node | undefined): string | undefined =>
  node !== undefined && "String" in node ? node.String.sval : undefined

/** The last part of a qualified name list (`pg_catalog.int4` → `int4`). */
export const lastName = (names: ReadonlyArray<Node> | undefined): string => stringOf(names?.at(-1)) ?? ""

const aliases: Readonly<Record<string, string>> = {
  int: "int4",
  integer: "int4",
  smallint: "int2",
  bigint: "int8",
  serial: "int4",
  serial4: "int4",
  bigserial: "int8",
  serial8: "int8",
  smallserial: "int2",
  serial2: "int2",
  decimal: "numeric",
  "character varying": "varchar",
  character: "bpchar",
  char: "bpchar"
}

/** A column type as far as rewrite rules need it: its base name and integer modifiers (`varchar(20)` → varchar, [20]). */
export interface ColumnType {
  readonly name: string
  readonly modifiers: ReadonlyArray<number>
  readonly array: boolean
}

export const columnType = (typeName: TypeName | undefined): ColumnType => {
  const raw = lastName(typeName?.names).toLowerCase()
  const modifiers = (typeName?.typmods ?? []).flatMap((node) =>
    "A_Const" in node && node.A_Const.ival !== undefined ? [node.A_Const.ival.ival ?? 0] : []
  )
  return { name: aliases[raw] ?? raw, modifiers, array: (typeName?.arrayBounds?.length ?? 0) > 0 }
}

export const isSerial = (typeName: TypeName | undefined): boolean =>
  /^(small|big)?serial[248]?$/.test(lastName(typeName?.names).toLowerCase())

/** Visits every object inside a parse tree, with the node type it is the value of (`FuncCall`, `A_Const`, ...). */
export const walk = (value: unknown, visit: (type: string, node: Record<string, unknown>) => void): void => {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit)
    return
  }
  if (typeof value !== "object" || value === null) return
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === "object" && child !== null && !Array.isArray(child) && /^[A-Z]/.test(key)) {
      visit(key, child as Record<string, unknown>)
    }
    walk(child, visit)
  }
}

/** Names of the functions a tree calls. */
export const calledFunctions = (value: unknown): Array<string> => {
  const names: Array<string> = []
  walk(value, (type, node) => {
    if (type === "FuncCall") names.push(lastName(node.funcname as ReadonlyArray<Node> | undefined).toLowerCase())
  })
  return names
}

/** The kind of a statement node (`IndexStmt`, `AlterTableStmt`, ...). */
export const statementKind = (node: Node): string => Object.keys(node)[0] ?? ""
