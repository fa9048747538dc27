import { describe, expect, it } from "vitest"
import { failingStatement } from "../../src/database/failingStatement.js"

const script = [
  "CREATE TABLE accounts (id int);",
  "CREATE TABLE dup (id int);",
  "ALTER TABLE dup ADD COLUMN email text;",
  "GRANT SELECT ON accounts TO reporting;"
].join("\n")

describe("failingStatement (errors without a position)", () => {
  it("names the statement the message is about", () => {
    expect(failingStatement(`column "email" of relation "dup" already exists`, script)).toBe("ALTER TABLE dup ADD COLUMN email text")
    expect(failingStatement(`role "reporting" does not exist`, script)).toBe("GRANT SELECT ON accounts TO reporting")
    expect(failingStatement("must be owner of table accounts", "SELECT 1;\nALTER TABLE public.accounts ADD c int;")).toBe(
      "ALTER TABLE public.accounts ADD c int"
    )
  })

  it("gives the only statement of a one-statement migration", () => {
    expect(failingStatement("canceling statement due to lock timeout", "ALTER TABLE t ADD c int;\n")).toBe("ALTER TABLE t ADD c int")
  })

  it("does not guess when the message names nothing or several statements equally", () => {
    expect(failingStatement("canceling statement due to statement timeout", script)).toBeUndefined()
    expect(failingStatement(`permission denied for table dup`, script)).toBeUndefined()
  })

  it("prefers the statement that creates, for an already-exists error", () => {
    expect(failingStatement(`relation "dup" already exists`, script)).toBe("CREATE TABLE dup (id int)")
  })
})
