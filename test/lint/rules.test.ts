import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ruleIds } from "../../src/lint/rules/catalog.js"
import { type Case, lintSql, where } from "./support.js"

const users = "CREATE TABLE users (id int PRIMARY KEY, org_id int, name varchar(50), email text, mood mood);"

interface RuleCase {
  readonly rule: string
  readonly hazard: Case
  /** rule@line:column of every finding the hazard gives. */
  readonly found: ReadonlyArray<string>
  readonly safe: Case
}

const cases: ReadonlyArray<RuleCase> = [
  {
    rule: "index-without-concurrently",
    hazard: { applied: users, sql: "-- name: x\nCREATE INDEX users_email ON users (email);" },
    found: ["index-without-concurrently@2:1"],
    safe: { applied: users, sql: "-- transaction: false\nCREATE INDEX CONCURRENTLY users_email ON users (email);", noTransaction: true }
  },
  {
    rule: "index-without-concurrently (a table created earlier in the same file is new)",
    hazard: { sql: "CREATE TABLE t (a int);\n  CREATE INDEX ON missing_before (a);" },
    found: ["index-without-concurrently@2:3"],
    safe: { sql: "CREATE TABLE t (a int);\nCREATE INDEX ON t (a);" }
  },
  {
    rule: "drop-index-without-concurrently",
    hazard: { sql: "DROP INDEX users_email;" },
    found: ["drop-index-without-concurrently@1:1"],
    safe: { sql: "DROP INDEX CONCURRENTLY users_email;", noTransaction: true }
  },
  {
    rule: "concurrently-in-transaction",
    hazard: { applied: users, sql: "CREATE INDEX CONCURRENTLY users_email ON users (email);" },
    found: ["concurrently-in-transaction@1:1"],
    safe: { applied: users, sql: "CREATE INDEX CONCURRENTLY users_email ON users (email);", noTransaction: true }
  },
  {
    rule: "foreign-key-without-not-valid",
    hazard: { applied: users, sql: "ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs (id);" },
    found: ["foreign-key-without-not-valid@1:23"],
    safe: {
      applied: users,
      sql: "ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;"
    }
  },
  {
    rule: "check-without-not-valid",
    hazard: { applied: users, sql: "ALTER TABLE users\n  ADD CONSTRAINT name_len CHECK (length(name) > 0);" },
    found: ["check-without-not-valid@2:7"],
    safe: { applied: users, sql: "ALTER TABLE users ADD CONSTRAINT name_len CHECK (length(name) > 0) NOT VALID;" }
  },
  {
    rule: "unique-constraint-without-index",
    hazard: { applied: users, sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);" },
    found: ["unique-constraint-without-index@1:23"],
    safe: { applied: users, sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;" }
  },
  {
    rule: "set-not-null-without-check",
    hazard: { applied: users, sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;" },
    found: ["set-not-null-without-check@1:1"],
    safe: {
      applied: users + "\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;",
      sql: "ALTER TABLE users VALIDATE CONSTRAINT email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;"
    }
  },
  {
    rule: "add-column-required-without-default",
    hazard: { applied: users, sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL;" },
    found: ["add-column-required-without-default@1:30"],
    safe: { applied: users, sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';" }
  },
  {
    rule: "column-type-rewrite",
    hazard: { applied: users, sql: "ALTER TABLE users ALTER COLUMN id TYPE bigint;" },
    found: ["column-type-rewrite@1:32"],
    safe: { applied: users, sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(100), ALTER COLUMN email TYPE text;" }
  },
  {
    rule: "column-type-rewrite (narrowing a known varchar)",
    hazard: { applied: users, sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);" },
    found: ["column-type-rewrite@1:32"],
    safe: { applied: users, sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar;" }
  },
  {
    rule: "add-column-volatile-default",
    hazard: { applied: users, sql: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();" },
    found: ["add-column-volatile-default@1:41"],
    safe: { applied: users, sql: "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();" }
  },
  {
    rule: "drop-column",
    hazard: { applied: users, sql: "ALTER TABLE users DROP COLUMN name;" },
    found: ["drop-column@1:1"],
    safe: { applied: users, sql: "-- lint-disable: drop-column the app stopped reading it in v42\nALTER TABLE users DROP COLUMN name;" }
  },
  {
    rule: "drop-table",
    hazard: { applied: users, sql: "DROP TABLE users;" },
    found: ["drop-table@1:1"],
    safe: { sql: "CREATE TABLE scratch (a int);\nDROP TABLE scratch;" }
  },
  {
    rule: "rename-column",
    hazard: { applied: users, sql: "ALTER TABLE users RENAME COLUMN name TO full_name;" },
    found: ["rename-column@1:1"],
    safe: { applied: users, sql: "ALTER TABLE users ADD COLUMN full_name text;" }
  },
  {
    rule: "rename-table",
    hazard: { applied: users, sql: "ALTER TABLE users RENAME TO people;" },
    found: ["rename-table@1:1"],
    safe: { applied: users, sql: "CREATE VIEW people AS SELECT * FROM users;" }
  },
  {
    rule: "enum-value-used-in-transaction",
    hazard: { applied: users, sql: "ALTER TYPE mood ADD VALUE 'sad';\nINSERT INTO audit (mood) VALUES ('sad');" },
    found: ["enum-value-used-in-transaction@2:34"],
    safe: { applied: users, sql: "ALTER TYPE mood ADD VALUE 'sad';" }
  },
  {
    rule: "vacuum-full",
    hazard: { sql: "VACUUM FULL users;", noTransaction: true },
    found: ["vacuum-full@1:1"],
    safe: { sql: "VACUUM users;", noTransaction: true }
  },
  {
    rule: "cluster",
    hazard: { applied: users, sql: "CLUSTER users USING users_pkey;" },
    found: ["cluster@1:1"],
    safe: { applied: users, sql: "ANALYZE users;" }
  },
  {
    rule: "lock-table",
    hazard: { applied: users, sql: "LOCK TABLE users IN ACCESS EXCLUSIVE MODE;" },
    found: ["lock-table@1:1"],
    safe: { sql: "CREATE TABLE t (a int);\nLOCK TABLE t;" }
  },
  {
    rule: "reindex-without-concurrently",
    hazard: { sql: "REINDEX INDEX users_email;" },
    found: ["reindex-without-concurrently@1:1"],
    safe: { sql: "REINDEX INDEX CONCURRENTLY users_email;", noTransaction: true }
  },
  {
    rule: "refresh-without-concurrently",
    hazard: { sql: "REFRESH MATERIALIZED VIEW stats;" },
    found: ["refresh-without-concurrently@1:1"],
    safe: { sql: "REFRESH MATERIALIZED VIEW CONCURRENTLY stats;" }
  },
  {
    rule: "data-backfill",
    hazard: { applied: users, sql: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';" },
    found: ["data-backfill@2:1"],
    safe: { applied: users, sql: "UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 1000;" }
  },
  {
    rule: "data-backfill (WHERE, in a schema migration)",
    hazard: { applied: users, sql: "ALTER TABLE users ADD COLUMN plan text;\nDELETE FROM users WHERE id = 1;" },
    found: ["data-backfill@2:1"],
    safe: { sql: "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nUPDATE t SET a = 2;" }
  },
  {
    rule: "parse-error",
    hazard: { sql: "-- é\nCREATE INDX ON t (a);" },
    found: ["parse-error@2:8"],
    safe: { sql: "-- é\nCREATE TABLE t (a int);" }
  },
  {
    rule: "disable-without-reason",
    hazard: { applied: users, sql: "-- lint-disable: drop-table\nDROP TABLE users;" },
    found: ["disable-without-reason@1:1"],
    safe: { applied: users, sql: "-- lint-disable: drop-table replaced by accounts, unused since v3\nDROP TABLE users;" }
  }
]

describe("lint rules", () => {
  for (const { found, hazard, rule, safe } of cases) {
    it.effect(`${rule}: flags the hazard, not its safe rewrite`, () =>
      Effect.gen(function*() {
        expect(where(yield* lintSql(hazard))).toEqual(found)
        expect(where(yield* lintSql(safe))).toEqual([])
      }))
  }

  it("has a case for every rule but not-linted (covered by the .ts tests)", () => {
    const covered = new Set(cases.map((entry) => entry.rule.split(" ")[0]))
    expect(ruleIds.filter((id) => !covered.has(id))).toEqual(["not-linted"])
  })

  it.effect("counts columns in characters on lines with non-ASCII text", () =>
    Effect.gen(function*() {
      const findings = yield* lintSql({ applied: 'CREATE TABLE "tä" (a int);', sql: "/* ü */ ALTER TABLE \"tä\" ADD CONSTRAINT c CHECK (a > 0);" })
      expect(where(findings)).toEqual(["check-without-not-valid@1:30"])
      expect(findings[0]!.sourceLine).toBe("/* ü */ ALTER TABLE \"tä\" ADD CONSTRAINT c CHECK (a > 0);")
    }))
})
