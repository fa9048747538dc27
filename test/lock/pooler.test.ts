import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { errorLines, runCli, useCli, useTempDir } from "../support/cli.js"
import { createDatabase, dropDatabase, useTestDatabase } from "../support/testDatabase.js"
import { pgbouncerBinary, type Pooler, startPgbouncer } from "./pgbouncer.js"

const db = useTestDatabase("lock_pooler")
const dirs = useTempDir("pooler")
useCli()

const binary = pgbouncerBinary()
if ("skip" in binary) console.log(`[lock] PgBouncer tests skipped: ${binary.skip}`)

const runners = 5
const trials = Number(process.env.POOLER_TRIALS ?? 3)

/** Each migration records itself in `runs`: a double application shows twice there. */
const migrations = {
  "20240101000000_create.sql": "CREATE TABLE accounts (id serial PRIMARY KEY, name text);\nCREATE TABLE runs (migration text NOT NULL);\nINSERT INTO runs VALUES ('m1');\n",
  "20240102000000_slow.sql": "SELECT pg_sleep(0.5);\nCREATE TABLE audit (id serial PRIMARY KEY);\nINSERT INTO runs VALUES ('m2');\n",
  "20240103000000_index.sql": "-- transaction: false\nCREATE INDEX CONCURRENTLY accounts_name ON accounts (name);\nINSERT INTO runs VALUES ('m3');\n",
  "20240104000000_column.sql": "ALTER TABLE accounts ADD COLUMN email text;\nSET timezone = 'Asia/Tokyo';\nINSERT INTO runs VALUES ('m4');\n",
  "20240105000000_seed.sql": "INSERT INTO accounts (name) VALUES (current_setting('TimeZone'));\nINSERT INTO runs VALUES ('m5');\n"
}

describe.skipIf("skip" in binary)("behind PgBouncer in transaction pooling (stock settings)", () => {
  let pooler: Pooler
  beforeAll(async () => {
    if (!("skip" in binary)) pooler = await startPgbouncer(binary.path, db.current.url)
  }, 30_000)
  afterAll(async () => {
    await pooler?.stop()
  })

  it(`${runners} runners at once, ${trials} trials: each exits 0, each migration applied once, no lock left`, async () => {
    const dir = await dirs.make(migrations)
    const summary: Array<string> = []
    for (let trial = 1; trial <= trials; trial++) {
      // A database per trial: behind the pooler a `transaction: false` statement gets no search_path of ours.
      const trialDb = await createDatabase(`lock_pooler_trial_${trial}`)
      const schema = "public"
      const env = { DATABASE_URL: pooler.via(trialDb.url), MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_LOCK_WAIT: "60000" }
      const results = await Promise.all(Array.from({ length: runners }, () => runCli([], env, { timeoutMs: 90_000 })))
      for (const result of results) {
        expect(result.code, result.output).toBe(0)
        expect(errorLines(result.output), result.output).toEqual([])
        expect(result.output).toContain("taken in each migration's own transaction")
      }
      const journal = await trialDb.query<{ id: string; status: string }>(`SELECT id, status FROM ${schema}.migrations ORDER BY id`)
      expect(journal).toEqual(Object.keys(migrations).map((file) => ({ id: file.replace(/\.sql$/, ""), status: "applied" })))
      const runs = await trialDb.query(`SELECT migration, count(*)::int AS n FROM ${schema}.runs GROUP BY migration ORDER BY migration`)
      expect(runs).toEqual(["m1", "m2", "m3", "m4", "m5"].map((migration) => ({ migration, n: 1 })))
      // The SET timezone of m4 did not reach m5.
      expect(await trialDb.query(`SELECT name FROM ${schema}.accounts`)).not.toEqual([{ name: "Asia/Tokyo" }])
      const locks = await trialDb.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
      )
      expect(locks).toEqual([{ n: 0 }])
      const appliedLines = results.flatMap((result) => result.stdout.split("\n").filter((line) => line.includes(": APPLIED")))
      expect(appliedLines).toHaveLength(Object.keys(migrations).length)
      // A next run through the pooler finds nothing to do.
      const again = await runCli([], env)
      expect(again.code, again.output).toBe(0)
      await dropDatabase(trialDb.name)
      summary.push(`trial ${trial}: ${results.map((result) => result.code).join(",")} exit codes, ${journal.length} rows, 0 locks left`)
    }
    console.log(`[lock] PgBouncer transaction pooling, ${runners} runners × ${trials} trials:\n  ${summary.join("\n  ")}`)
  }, 600_000)

  it("an options parameter in DATABASE_URL refused by the pooler: exit 3 with a hint naming PgBouncer and ignore_startup_parameters", async () => {
    const dir = await dirs.make({ "20240101000000_one.sql": "CREATE TABLE one (id int);\n" })
    const url = `${pooler.via(db.current.url)}?options=${encodeURIComponent("-c search_path=public")}`
    const result = await runCli([], { DATABASE_URL: url, DATABASE_SCHEMA: "hinted", MIGRATIONS_DIR: dir, RLS_FILE: "none", MIGRATION_CONNECT_TIMEOUT: "2000" })
    expect(result.code, result.output).toBe(3)
    expect(result.output).toContain("unsupported startup parameter: options")
    expect(result.output).toContain("ignore_startup_parameters")
    expect(result.output).toContain("PgBouncer")
  }, 60_000)
})
