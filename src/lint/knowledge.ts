import type { AlterTableStmt, Constraint, Node } from "libpg-query"
import { type ColumnType, columnKey, columnType, stringOf, tableKey } from "./ast.js"

/**
 * What the linter learns from the migrations it reads, in order: tables created by migrations not applied yet
 * (locking those is harmless), column types (to tell a widening from a rewrite), and CHECK (col IS NOT NULL)
 * constraints, validated or not.
 */
export class Knowledge {
  /** Tables (and indexes, views) created by this run's migrations: new and empty when the statement runs. */
  readonly created = new Set<string>()
  readonly columnTypes = new Map<string, ColumnType>()
  /** `table.constraint` → the column a CHECK (col IS NOT NULL) constraint covers. */
  private readonly notNullChecks = new Map<string, string>()
  /** `table.column` with a validated CHECK (col IS NOT NULL): SET NOT NULL then needs no scan. */
  readonly provenNotNull = new Set<string>()

  /** Created earlier in the migration being read. */
  private local = new Set<string>()
  private fresh = false

  isNew(table: string): boolean {
    return this.created.has(table) || this.local.has(table)
  }

  /** Starts a migration; `fresh` when it is still to be applied, so that what it creates is new for the next ones. */
  begin(fresh: boolean): void {
    this.local = new Set()
    this.fresh = fresh
  }

  private create(name: string): void {
    this.local.add(name)
    if (this.fresh) this.created.add(name)
  }

  /** Learns from one statement. */
  learn(node: Node): void {
    if ("CreateStmt" in node) {
      const table = tableKey(node.CreateStmt.relation)
      this.create(table)
      for (const element of node.CreateStmt.tableElts ?? []) {
        if ("ColumnDef" in element && element.ColumnDef.colname !== undefined) {
          this.columnTypes.set(columnKey(table, element.ColumnDef.colname), columnType(element.ColumnDef.typeName))
        }
      }
    } else if ("CreateTableAsStmt" in node) {
      this.create(tableKey(node.CreateTableAsStmt.into?.rel))
    } else if ("IndexStmt" in node) {
      if (node.IndexStmt.idxname !== undefined) this.create(node.IndexStmt.idxname)
    } else if ("AlterTableStmt" in node) {
      this.learnAlter(node.AlterTableStmt)
    } else if ("RenameStmt" in node && node.RenameStmt.renameType === "OBJECT_TABLE" && node.RenameStmt.newname !== undefined) {
      if (this.isNew(tableKey(node.RenameStmt.relation))) this.create(node.RenameStmt.newname)
    }
  }

  private learnAlter(statement: AlterTableStmt): void {
    const table = tableKey(statement.relation)
    for (const command of statement.cmds ?? []) {
      if (!("AlterTableCmd" in command)) continue
      const { def, name, subtype } = command.AlterTableCmd
      if (subtype === "AT_AddColumn" && def !== undefined && "ColumnDef" in def && def.ColumnDef.colname !== undefined) {
        this.columnTypes.set(columnKey(table, def.ColumnDef.colname), columnType(def.ColumnDef.typeName))
      } else if (subtype === "AT_AlterColumnType" && name !== undefined && def !== undefined && "ColumnDef" in def) {
        this.columnTypes.set(columnKey(table, name), columnType(def.ColumnDef.typeName))
      } else if (subtype === "AT_AddConstraint" && def !== undefined && "Constraint" in def) {
        this.learnCheck(table, def.Constraint)
      } else if (subtype === "AT_ValidateConstraint" && name !== undefined) {
        const column = this.notNullChecks.get(columnKey(table, name))
        if (column !== undefined) this.provenNotNull.add(columnKey(table, column))
      }
    }
  }

  private learnCheck(table: string, constraint: Constraint): void {
    const column = notNullColumn(constraint)
    if (constraint.contype !== "CONSTR_CHECK" || column === undefined) return
    if (constraint.conname !== undefined) this.notNullChecks.set(columnKey(table, constraint.conname), column)
    if (constraint.skip_validation !== true) this.provenNotNull.add(columnKey(table, column))
  }
}

/** The column of a `CHECK (col IS NOT NULL)` constraint. */
export const notNullColumn = (constraint: Constraint): string | undefined => {
  const expression = constraint.raw_expr
  if (expression === undefined || !("NullTest" in expression) || expression.NullTest.nulltesttype !== "IS_NOT_NULL") return undefined
  const argument = expression.NullTest.arg
  return argument !== undefined && "ColumnRef" in argument ? stringOf(argument.ColumnRef.fields?.at(-1)) : undefined
}
