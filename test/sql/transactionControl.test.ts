import { describe, expect, it } from "vitest"
import { sqlForTransaction, transactionControl } from "../../src/sql/transactionControl.js"

describe("transactionControl", () => {
  it("finds none in plain DDL, DO blocks, BEGIN ATOMIC bodies and savepoints", () => {
    const script = [
      "CREATE TABLE t (id int);",
      "DO $$ BEGIN PERFORM 1; END $$;",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
      "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE SAVEPOINT s;",
      "SELECT 'COMMIT;';"
    ].join("\n")
    expect(transactionControl(script)).toEqual({ _tag: "None" })
  })

  it("blanks a BEGIN ... COMMIT pair around the whole script, keeping positions and lines", () => {
    const pairs: ReadonlyArray<readonly [string, string]> = [
      ["BEGIN", "COMMIT"],
      ["START TRANSACTION", "END"],
      ["begin transaction isolation level serializable", "commit work"]
    ]
    for (const [open, close] of pairs) {
      const script = `-- wrapped\n${open};\nCREATE TABLE t (id int);\n${close};\n`
      const result = transactionControl(script)
      expect(result._tag).toBe("Wrapped")
      if (result._tag !== "Wrapped") return
      expect(result.sql.length).toBe(script.length)
      expect(result.sql.split("\n")).toEqual(["-- wrapped", `${" ".repeat(open.length)};`, "CREATE TABLE t (id int);", `${" ".repeat(close.length)};`, ""])
      expect(result.sql.indexOf("CREATE")).toBe(script.indexOf("CREATE"))
    }
  })

  it("reports transaction control elsewhere, with its line", () => {
    expect(transactionControl("CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);")).toEqual({
      _tag: "Inside",
      statement: "COMMIT",
      line: 2
    })
    expect(transactionControl("BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;")).toMatchObject({ _tag: "Inside", statement: "ROLLBACK", line: 3 })
    expect(transactionControl("BEGIN;\nCREATE TABLE a (id int);")).toMatchObject({ _tag: "Inside", statement: "BEGIN", line: 1 })
    expect(transactionControl("BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 2; COMMIT;")).toMatchObject({ _tag: "Inside", statement: "COMMIT" })
  })

  it("explains the problem for a loader", () => {
    const result = sqlForTransaction("CREATE TABLE a (id int);\nCOMMIT;")
    expect("problem" in result && result.problem).toMatch(/^line 2: "COMMIT" would end the migration's transaction.*-- transaction: false\)$/)
  })
})
