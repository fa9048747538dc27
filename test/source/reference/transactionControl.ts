// transactionControl.ts as it was before (commit 292bbdd): part of the oracle of sqlFile.equivalence.test.ts.
import { type SqlStatement, splitStatements } from "./scanStatements.js"

const opens = /^(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?(\s+(ISOLATION|READ|NOT|DEFERRABLE)\b[\s\S]*)?$/i
// SAVEPOINT, RELEASE and ROLLBACK TO work inside the migration's transaction and are left alone.
const control = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK(?!\s+TO\b)|ABORT|PREPARE\s+TRANSACTION)\b/i
const closes = /^(COMMIT|END)(\s+(WORK|TRANSACTION))?$/i

export type TransactionControl =
  | { readonly _tag: "None" }
  /** `BEGIN; ... COMMIT;` around the whole script: redundant, the migration's own transaction stands in. */
  | { readonly _tag: "Wrapped"; readonly sql: string }
  | { readonly _tag: "Inside"; readonly statement: string; readonly line: number }

/**
 * Finds top-level transaction control in a script meant to run in one transaction. A wrapping
 * `BEGIN; ... COMMIT;` pair is blanked out (same length, so error positions and lines still match);
 * any other (a COMMIT half way, a ROLLBACK) would break "rolled back if and only if it failed".
 */
export const transactionControl = (
  sql: string,
  statements: ReadonlyArray<SqlStatement> = splitStatements(sql)
): TransactionControl => {
  const found = statements.filter((statement) => control.test(statement.text))
  if (found.length === 0) return { _tag: "None" }
  const text = sql.replace(/\r\n?/g, "\n")
  const first = statements[0]!
  const last = statements.at(-1)!
  if (found.length === 2 && found[0] === first && found[1] === last && opens.test(first.text) && closes.test(last.text)) {
    const blank = (from: number, length: number, source: string) =>
      source.slice(0, from) + " ".repeat(length) + source.slice(from + length)
    return { _tag: "Wrapped", sql: blank(first.offset, first.text.length, blank(last.offset, last.text.length, text)) }
  }
  const culprit = found.find((statement) => !(statement === first && opens.test(statement.text))) ?? found[0]!
  return { _tag: "Inside", statement: culprit.text, line: culprit.line }
}

/**
 * The SQL to run in the migration's transaction, or why it cannot be: what a loader reports for a file
 * that commits or rolls back on its own.
 */
export const sqlForTransaction = (
  sql: string,
  statements?: ReadonlyArray<SqlStatement>
): { readonly sql: string } | { readonly problem: string } => {
  const found = transactionControl(sql, statements)
  switch (found._tag) {
    case "None":
      return { sql }
    case "Wrapped":
      return { sql: found.sql }
    case "Inside":
      return {
        problem: `line ${found.line}: ${JSON.stringify(found.statement)} would end the migration's transaction, ` +
          "so a failure could no longer roll the whole migration back. Remove it (each migration runs in a " +
          "transaction of its own, its journal row included), or run the file without one (-- transaction: false)"
      }
  }
}
