import { createHash } from "node:crypto"

/**
 * Each tool's history table as its own source creates it, with the rows it writes, and a migrations folder in its
 * layout. `recorded` are the ids adopt records; the other files stay pending.
 */
export interface ToolCase {
  readonly tool: string
  /** The table adopt reads, as `schema.table` with `$S` for the test's schema. */
  readonly table: string
  readonly setup: string
  readonly files: Record<string, string>
  readonly recorded: ReadonlyArray<string>
  readonly pending: ReadonlyArray<string>
}

const create = (table: string) => `CREATE TABLE ${table} (id int);\n`
const drop = (table: string) => `DROP TABLE ${table};\n`

const drizzleFiles = {
  "0000_brave_wolf.sql": `CREATE TABLE "dz_a" (\n\t"id" integer\n);\n--> statement-breakpoint\nCREATE INDEX "dz_a_i" ON "dz_a" ("id");`,
  "0001_calm_fox.sql": `CREATE TABLE "dz_b" (\n\t"id" integer\n);\n`
}
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** Each tool's history table as its source creates it (`$S`: the test's schema). */
export const historyTables = {
  "golang-migrate": `CREATE TABLE $S.schema_migrations (version bigint not null primary key, dirty boolean not null);`,
  sqlx: `CREATE TABLE $S._sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);`,
  diesel: `CREATE TABLE $S.__diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);`,
  flyway: `CREATE TABLE $S.flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);`,
  "node-pg-migrate": `CREATE TABLE $S.pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);`,
  knex: `CREATE TABLE $S.knex_migrations (id serial primary key, name varchar(255), batch integer, migration_time timestamptz);`,
  prisma: `CREATE TABLE $S._prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);`
} as const

export const toolCases: ReadonlyArray<ToolCase> = [
  {
    tool: "golang-migrate",
    table: "$S.schema_migrations",
    setup: `${historyTables["golang-migrate"]}
             INSERT INTO $S.schema_migrations (version, dirty) VALUES (2, false);`,
    files: {
      "000001_create_a.up.sql": create("gm_a"),
      "000001_create_a.down.sql": drop("gm_a"),
      "000002_create_b.up.sql": create("gm_b"),
      "000002_create_b.down.sql": drop("gm_b"),
      "000003_create_c.up.sql": create("gm_c")
    },
    recorded: ["000001_create_a", "000002_create_b"],
    pending: ["000003_create_c"]
  },
  {
    tool: "dbmate",
    table: "$S.schema_migrations",
    setup: `CREATE TABLE $S.schema_migrations (version varchar(255) primary key);
             INSERT INTO $S.schema_migrations (version) VALUES ('20240101000000'), ('20240102000000');`,
    files: {
      "20240101000000_create_a.sql": `-- migrate:up\n${create("db_a")}\n-- migrate:down\n${drop("db_a")}`,
      "20240102000000_create_b.sql": `-- migrate:up transaction:false\n${create("db_b")}\n-- migrate:down\n${drop("db_b")}`,
      "20240103000000_create_c.sql": `-- migrate:up\n${create("db_c")}`
    },
    recorded: ["20240101000000_create_a", "20240102000000_create_b"],
    pending: ["20240103000000_create_c"]
  },
  {
    tool: "goose",
    table: "$S.goose_db_version",
    // goose writes version 0 when it creates the table; an older goose recorded a down as a row with is_applied false.
    setup: `CREATE TABLE $S.goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL,
               tstamp timestamp NULL default now(), PRIMARY KEY(id));
             INSERT INTO $S.goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false);`,
    files: {
      "00001_create_a.sql": `-- +goose Up\n${create("gs_a")}\n-- +goose Down\n${drop("gs_a")}`,
      "00002_create_b.sql": `-- +goose Up\n-- +goose StatementBegin\n${create("gs_b")}-- +goose StatementEnd\n`,
      "00003_create_c.sql": `-- +goose Up\n${create("gs_c")}`
    },
    recorded: ["00001_create_a", "00002_create_b"],
    pending: ["00003_create_c"]
  },
  {
    tool: "sqlx",
    table: "$S._sqlx_migrations",
    setup: `${historyTables.sqlx}
             INSERT INTO $S._sqlx_migrations (version, description, success, checksum, execution_time)
               VALUES (20240101000000, 'create a', TRUE, '\\x0a0b', 1200), (20240102000000, 'create b', TRUE, '\\x0c0d', -1);`,
    files: {
      "20240101000000_create_a.sql": create("sx_a"),
      "20240102000000_create_b.up.sql": create("sx_b"),
      "20240102000000_create_b.down.sql": drop("sx_b"),
      "20240103000000_create_c.sql": create("sx_c")
    },
    recorded: ["20240101000000_create_a", "20240102000000_create_b"],
    pending: ["20240103000000_create_c"]
  },
  {
    tool: "diesel",
    table: "$S.__diesel_schema_migrations",
    setup: `${historyTables.diesel}
             INSERT INTO $S.__diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240101000000');`,
    files: {
      "00000000000000_diesel_initial_setup/up.sql": "CREATE OR REPLACE FUNCTION diesel_noop() RETURNS void AS $$ BEGIN END; $$ LANGUAGE plpgsql;\n",
      "00000000000000_diesel_initial_setup/down.sql": "DROP FUNCTION IF EXISTS diesel_noop();\n",
      "2024-01-01-000000_create_a/up.sql": create("ds_a"),
      "2024-01-01-000000_create_a/down.sql": "",
      "2024-01-02-000000_create_b/up.sql": create("ds_b"),
      "2024-01-02-000000_create_b/down.sql": drop("ds_b")
    },
    recorded: ["00000000000000_diesel_initial_setup", "2024-01-01-000000_create_a"],
    pending: ["2024-01-02-000000_create_b"]
  },
  {
    tool: "flyway",
    table: "$S.flyway_schema_history",
    // A baseline at 1, then 1.1 applied; repeatable migrations have no version.
    setup: `${historyTables.flyway}
             CREATE INDEX flyway_schema_history_s_idx ON $S.flyway_schema_history (success);
             INSERT INTO $S.flyway_schema_history VALUES
               (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', now(), 0, true),
               (2, '1.1', 'add b', 'SQL', 'V1_1__add_b.sql', -1234567, 'postgres', now(), 12, true),
               (3, NULL, 'views', 'SQL', 'R__views.sql', 42, 'postgres', now(), 3, true);`,
    files: {
      "V1__init.sql": create("fw_a"),
      "V1_1__add_b.sql": create("fw_b"),
      "V2__add_c.sql": create("fw_c")
    },
    recorded: ["V1__init", "V1_1__add_b"],
    pending: ["V2__add_c"]
  },
  {
    tool: "node-pg-migrate",
    table: "$S.pgmigrations",
    setup: `${historyTables["node-pg-migrate"]}
             INSERT INTO $S.pgmigrations (name, run_on) VALUES ('1700000000000_create-a', now());`,
    files: {
      "1700000000000_create-a.sql": `-- Up Migration\n${create("np_a")}\n-- Down Migration\n${drop("np_a")}`,
      "1700000000001_create-b.sql": `-- Up Migration\n${create("np_b")}`
    },
    recorded: ["1700000000000_create-a"],
    pending: ["1700000000001_create-b"]
  },
  {
    tool: "knex",
    table: "$S.knex_migrations",
    // knex records the file name with its extension: the .js migration rewritten as .sql matches.
    setup: `${historyTables.knex}
             CREATE TABLE $S.knex_migrations_lock (index serial primary key, is_locked integer);
             INSERT INTO $S.knex_migrations_lock (is_locked) VALUES (0);
             INSERT INTO $S.knex_migrations (name, batch, migration_time) VALUES ('20240101000000_create_a.js', 1, now());`,
    files: {
      "20240101000000_create_a.sql": create("kx_a"),
      "20240102000000_create_b.sql": create("kx_b")
    },
    recorded: ["20240101000000_create_a"],
    pending: ["20240102000000_create_b"]
  },
  {
    tool: "prisma",
    table: "$S._prisma_migrations",
    // One applied; one that failed and was marked rolled back (`prisma migrate resolve --rolled-back`), then re-applied.
    setup: `${historyTables.prisma}
             INSERT INTO $S._prisma_migrations VALUES
               ('0b1f0e5e-0000-4000-8000-000000000001', 'c1', now(), '20240101000000_init', NULL, NULL, now(), 1),
               ('0b1f0e5e-0000-4000-8000-000000000002', 'c2', NULL, '20240102000000_add_b', 'error: boom', now(), now(), 0),
               ('0b1f0e5e-0000-4000-8000-000000000003', 'c2', now(), '20240102000000_add_b', NULL, NULL, now(), 1);`,
    files: {
      "20240101000000_init/migration.sql": create("pr_a"),
      "20240102000000_add_b/migration.sql": create("pr_b"),
      "20240103000000_add_c/migration.sql": create("pr_c"),
      "migration_lock.toml": `provider = "postgresql"\n`
    },
    recorded: ["20240101000000_init", "20240102000000_add_b"],
    pending: ["20240103000000_add_c"]
  },
  {
    tool: "drizzle",
    table: "drizzle.__drizzle_migrations",
    setup: `CREATE SCHEMA IF NOT EXISTS drizzle;
             CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
             INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('${sha256(drizzleFiles["0000_brave_wolf.sql"])}', 1717000000000);`,
    files: {
      ...drizzleFiles,
      "meta/_journal.json": JSON.stringify({
        version: "7",
        dialect: "postgresql",
        entries: [
          { idx: 0, version: "7", when: 1717000000000, tag: "0000_brave_wolf", breakpoints: true },
          { idx: 1, version: "7", when: 1717000001000, tag: "0001_calm_fox", breakpoints: true }
        ]
      })
    },
    recorded: ["0000_brave_wolf"],
    pending: ["0001_calm_fox"]
  },
  {
    tool: "effect-sql",
    table: "$S.effect_sql_migrations",
    setup: `CREATE TABLE $S.effect_sql_migrations (migration_id integer primary key,
               created_at timestamp with time zone not null default now(), name text not null);
             INSERT INTO $S.effect_sql_migrations (migration_id, name) VALUES (1, 'create_a');`,
    files: {
      "0001_create_a.sql": create("ef_a"),
      "0002_create_b.sql": create("ef_b")
    },
    recorded: ["0001_create_a"],
    pending: ["0002_create_b"]
  }
]
