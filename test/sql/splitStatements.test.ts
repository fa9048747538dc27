import { describe, expect, it } from "vitest"
import { scanStatements, splitStatements } from "../../src/sql/splitStatements.js"

const texts = (script: string) => splitStatements(script).map((statement) => statement.text)

describe("splitStatements", () => {
  it("splits at top-level semicolons and trims", () => {
    expect(texts("SELECT 1;  SELECT 2 ;\n\nSELECT 3")).toEqual(["SELECT 1", "SELECT 2", "SELECT 3"])
  })

  it("keeps $$ bodies whole", () => {
    const script = "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;\nSELECT 1;"
    expect(texts(script)).toEqual(["DO $$ BEGIN PERFORM 1; PERFORM 2; END $$", "SELECT 1"])
  })

  it("keeps $tag$ bodies whole, even when they contain $$ or another tag", () => {
    const script = [
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$",
      "BEGIN",
      "  EXECUTE $q$ SELECT ';' $q$;",
      "  RETURN $$;$$;",
      "END",
      "$fn$;",
      "SELECT f();"
    ].join("\n")
    const result = texts(script)
    expect(result).toHaveLength(2)
    expect(result[0]).toMatch(/^CREATE FUNCTION[\s\S]*\$fn\$$/)
    expect(result[1]).toBe("SELECT f()")
  })

  it("does not take $1 parameters or identifiers with $ for dollar quotes", () => {
    expect(texts("PREPARE p AS SELECT $1; SELECT a$b$c FROM t;")).toEqual(["PREPARE p AS SELECT $1", "SELECT a$b$c FROM t"])
  })

  it("keeps single-quoted strings with '' and E'' strings with \\' escapes whole", () => {
    const script = "SELECT 'it''s; fine';\nSELECT E'a\\'; b', e'\\\\';\nSELECT 'back\\';\nSELECT 2;"
    expect(texts(script)).toEqual([
      "SELECT 'it''s; fine'",
      "SELECT E'a\\'; b', e'\\\\'",
      // Standard strings do not escape: the backslash is a character and the quote ends the string.
      "SELECT 'back\\'",
      "SELECT 2"
    ])
  })

  it("does not treat an identifier ending in e before a quote as E''", () => {
    expect(texts("SELECT name'x\\'; SELECT 2;")).toEqual(["SELECT name'x\\'", "SELECT 2"])
  })

  it("keeps quoted identifiers with semicolons and doubled quotes whole", () => {
    expect(texts(`CREATE TABLE "odd;name" ("a""b;" int); SELECT 1;`)).toEqual([
      `CREATE TABLE "odd;name" ("a""b;" int)`,
      "SELECT 1"
    ])
  })

  it("ignores semicolons in -- comments and nested /* */ comments", () => {
    const script = [
      "SELECT 1; -- a comment; with semicolons",
      "/* outer; /* inner; */ still comment; */ SELECT 2;",
      "SELECT '--not a comment;'; SELECT 3 /* ; */;"
    ].join("\n")
    expect(texts(script)).toEqual([
      "SELECT 1",
      "SELECT 2",
      "SELECT '--not a comment;'",
      "SELECT 3 /* ; */"
    ])
  })

  it("keeps a BEGIN ATOMIC body whole, CASE ... END inside included", () => {
    const script = [
      "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql",
      "BEGIN ATOMIC",
      "  SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;",
      "  SELECT 1;",
      "END;",
      "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;",
      "SELECT 2;"
    ].join("\n")
    const result = texts(script)
    expect(result).toHaveLength(3)
    expect(result[0]).toMatch(/^CREATE FUNCTION add[\s\S]*SELECT 1;\nEND$/)
    expect(result[1]).toBe("CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END")
    expect(result[2]).toBe("SELECT 2")
  })

  it("does not treat BEGIN; of a transaction as an atomic body", () => {
    expect(texts("BEGIN; SELECT 1; COMMIT;")).toEqual(["BEGIN", "SELECT 1", "COMMIT"])
  })

  it("keeps semicolons inside parentheses, as psql does (CREATE RULE with several actions)", () => {
    const script = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;"
    expect(texts(script)).toEqual([
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
      "SELECT 1"
    ])
  })

  it("drops chunks that hold only comments or whitespace", () => {
    expect(texts("-- header only\n;\n/* nothing */;\n ; ;\nSELECT 1;\n-- trailing comment\n")).toEqual(["SELECT 1"])
    expect(splitStatements("")).toEqual([])
    expect(splitStatements("-- just a comment")).toEqual([])
  })

  it("reports the line of each statement's first token, across strings, bodies and comments", () => {
    const script = [
      "-- line 1",
      "SELECT 1;", // 2
      "",
      "/* line 4",
      "   line 5 */",
      "DO $$", // 6
      "BEGIN",
      "  PERFORM 'x';",
      "END $$;",
      "SELECT 'multi", // 10
      "line';",
      "  SELECT E'\\'\n';", // 12
      "SELECT 4;" // 14
    ].join("\n")
    expect(splitStatements(script).map((statement) => statement.line)).toEqual([2, 6, 10, 12, 14])
  })

  it("normalises CRLF line endings", () => {
    expect(splitStatements("SELECT 1;\r\nSELECT 2;\r\n")).toEqual([
      { text: "SELECT 1", line: 1, offset: 0 },
      { text: "SELECT 2", line: 2, offset: 10 }
    ])
  })

  it("splits the example RLS file into its statements", async () => {
    const { readFile } = await import("node:fs/promises")
    const statements = splitStatements(await readFile("sql/enable-rls.sql", "utf8"))
    expect(statements.length).toBeGreaterThanOrEqual(8)
    for (const statement of statements) expect(statement.text).not.toMatch(/^\s*(--|$)/)
  })
})

describe("scanStatements", () => {
  it("reports a quote, dollar-quoted body or comment left open, with its line", () => {
    expect(scanStatements("SELECT 1;\nSELECT 'oops;").unterminated).toEqual({ what: "a quoted string", line: 2 })
    expect(scanStatements('SELECT "x;').unterminated).toEqual({ what: "a quoted identifier", line: 1 })
    expect(scanStatements("\n\nDO $body$ BEGIN NULL; END").unterminated).toEqual({ what: "a $body$ dollar-quoted body", line: 3 })
    expect(scanStatements("SELECT 1; /* /* nested */").unterminated).toEqual({ what: "a /* comment", line: 1 })
    expect(scanStatements("SELECT 'a''b', E'c\\'d', $$x$$; /* ok */ -- fine").unterminated).toBeUndefined()
  })
})

describe("BEGIN ATOMIC", () => {
  it("needs the two words side by side: a column named atomic in a table named begin is no function body", () => {
    expect(texts("CREATE TABLE begin (atomic int);\nCOMMIT;\nSELECT 1;")).toEqual([
      "CREATE TABLE begin (atomic int)",
      "COMMIT",
      "SELECT 1"
    ])
  })
})
