#!/usr/bin/env node
// effect-migrate against its peers, side by side on one throwaway PostgreSQL 15 server (test/support/postgres.mjs).
// Ours runs as users run it by default: with an RLS file at sql/enable-rls.sql (bench/.work/sql, see workloads.mjs).
//
//   node bench/run.mjs            full run (5 runs of each workload; 10 000: 1 cold run, 5 no-op runs; about 15 min)
//   node bench/run.mjs --quick    3 runs, no 10 000 (about 2 min)
//   options: --runs N, --runs-10k N, --no-build, --only tool,tool  (psql is always run: it is the baseline)
//
// Writes bench/results/latest.json and bench/results/chart.svg (--quick: bench/.work/quick.json and quick.svg).
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { chart } from "./lib/chart.mjs"
import { startThrowawayServer, withDatabase } from "../test/support/postgres.mjs"
import { generate, rlsSql } from "./lib/workloads.mjs"

const benchDir = path.dirname(fileURLToPath(import.meta.url))
const root = path.dirname(benchDir)
const work = path.join(benchDir, ".work")
const resultsDir = path.join(benchDir, "results")
const distDir = path.join(work, "dist")

const args = process.argv.slice(2)
const flag = (name) => args.includes(name)
const option = (name) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}
const quick = flag("--quick")
const runs = Number(option("--runs") ?? (quick ? 3 : 5))
// 10 000 cold costs about a minute per tool and run: one run of each in full mode keeps the whole under ~15 min.
const runs10k = Number(option("--runs-10k") ?? (quick ? 0 : 1))
const only = option("--only")?.split(",")

/** Peers at pinned versions, installed into bench/.work (gitignored), never into the project. */
const peers = {
  knex: "3.3.0",
  pg: "8.23.1",
  "node-pg-migrate": "9.0.0",
  dbmate: "2.36.0"
}

const log = (line) => process.stderr.write(`${line}\n`)

const installPeers = () => {
  mkdirSync(work, { recursive: true })
  const manifest = JSON.stringify(
    { name: "effect-migrate-bench-peers", private: true, type: "module", dependencies: peers },
    null,
    2
  ) + "\n"
  const manifestFile = path.join(work, "package.json")
  const installed = existsSync(manifestFile) && readFileSync(manifestFile, "utf8") === manifest &&
    existsSync(path.join(work, "node_modules/.package-lock.json"))
  if (!installed) {
    log(`installing peers into ${path.relative(root, work)}: ${Object.entries(peers).map(([n, v]) => `${n}@${v}`).join(" ")}`)
    writeFileSync(manifestFile, manifest)
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error"], { cwd: work, stdio: "inherit" })
  }
  const version = (name) => JSON.parse(readFileSync(path.join(work, "node_modules", name, "package.json"), "utf8")).version
  const projectVersion = (name) => JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version
  const dbmateBinary = path.join(work, "node_modules", `@dbmate/${process.platform}-${process.arch}`, "bin", "dbmate")
  const dbmateVersion = execFileSync(dbmateBinary, ["--version"], { encoding: "utf8" }).trim()
  return {
    dbmateBinary,
    versions: {
      knex: version("knex"),
      "node-pg-migrate": version("node-pg-migrate"),
      dbmate: dbmateVersion.replace(/^dbmate version /, ""),
      "effect-sql": `@effect/sql ${projectVersion("@effect/sql")}, @effect/sql-pg ${projectVersion("@effect/sql-pg")}`,
      "effect-migrate": JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version,
      psql: execFileSync("psql", ["--version"], { encoding: "utf8" }).trim()
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const machine = () => {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : ""
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`
  }
}

const main = async () => {
  const startedAt = Date.now()
  if (!flag("--no-build")) {
    // Our own copy of the build (scripts/build.mjs, as `npm run build`), so a concurrent rebuild of dist/ cannot disturb a run.
    log(`building ${path.relative(root, distDir)} (scripts/build.mjs --outdir ${path.relative(root, distDir)})`)
    execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--outdir", distDir], { cwd: root, stdio: "inherit" })
  }
  const { dbmateBinary, versions } = installPeers()

  const { default: pg } = await import("pg")
  // Durable defaults (fsync, synchronous_commit, full_page_writes on); trust over TCP as on a typical local server.
  // node-pg-migrate and PgMigrator apply a whole batch in one transaction: 10 000 CREATE TABLEs need more lock slots.
  const cluster = await startThrowawayServer({
    durable: true,
    settings: { max_locks_per_transaction: 1024 },
    hba: "local all all trust\nhost all all 127.0.0.1/32 trust\n"
  })
  log(`PostgreSQL: ${cluster.kind} on port ${cluster.port}`)
  const admin = new pg.Client({ connectionString: cluster.url() })
  await admin.connect()
  const server = (await admin.query("SELECT version() AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, current_setting('full_page_writes') AS fpw")).rows[0]
  log(`${server.v}; fsync=${server.fsync} synchronous_commit=${server.sc} full_page_writes=${server.fpw}`)

  const urlOf = (database) => withDatabase(cluster.url(), database)
  const createDatabase = async (database) => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${database}`)
  }
  const dropDatabase = (database) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
  const countTables = async (database) => {
    const client = new pg.Client({ connectionString: urlOf(database) })
    await client.connect()
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n, (count(*) FILTER (WHERE relrowsecurity))::int AS rls FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname ~ '^t_[0-9]+$'`
      )
      return rows[0]
    } finally {
      await client.end()
    }
  }
  /** After a run the database holds exactly n tables t_i, and where ours ran, the RLS file's four tables have RLS on. */
  const check = async (tool, database, n, what) => {
    const tables = await countTables(database)
    if (tables.n !== n) throw new Error(`${tool} ${n} ${what}: expected ${n} tables, found ${tables.n}`)
    if (tools[tool].rls === true && tables.rls !== 4) {
      throw new Error(`${tool} ${n} ${what}: the RLS file did not run (${tables.rls} of 4 tables with RLS)`)
    }
  }

  const node = process.execPath
  const distCli = path.join(distDir, "cli.js")
  /** How each tool applies a workload directory to a database: [command, args, extra environment]. */
  const tools = {
    "effect-migrate": {
      label: "effect-migrate",
      rls: true,
      command: (dir, url) => [node, [distCli, "up"], { DATABASE_URL: url, MIGRATIONS_DIR: dir }],
      inProcess: (dir, url) => [node, [path.join(benchDir, "inprocess.mjs"), path.join(distDir, "index.js")], {
        DATABASE_URL: url,
        MIGRATIONS_DIR: dir
      }]
    },
    knex: {
      label: `knex ${versions.knex}`,
      command: (dir, url) => [node, [path.join(work, "node_modules/knex/bin/cli.js"), "migrate:latest", "--knexfile", path.join(dir, "knexfile.cjs")], { DATABASE_URL: url }]
    },
    "node-pg-migrate": {
      label: `node-pg-migrate ${versions["node-pg-migrate"]}`,
      command: (dir, url) => [node, [path.join(work, "node_modules/node-pg-migrate/bin/node-pg-migrate.js"), "up", "-m", dir], { DATABASE_URL: url }]
    },
    dbmate: {
      label: `dbmate ${versions.dbmate} (Go)`,
      command: (dir, url) => [dbmateBinary, ["--url", `${url}?sslmode=disable`, "--migrations-dir", dir, "--no-dump-schema", "migrate"], {}]
    },
    "effect-sql": {
      label: `@effect/sql PgMigrator ${versions["effect-sql"].match(/@effect\/sql ([^\s,]+)/)?.[1]}`,
      command: (dir, url) => [node, [path.join(benchDir, "peers/effect-sql-migrator.mjs")], { DATABASE_URL: url, MIGRATIONS_DIR: dir }],
      inProcess: (dir, url) => [node, [path.join(benchDir, "peers/effect-sql-migrator.mjs"), "--in-process"], { DATABASE_URL: url, MIGRATIONS_DIR: dir }]
    },
    psql: {
      label: "psql (baseline)",
      baseline: true,
      command: (dir, url) => ["psql", ["-X", "-q", "-d", url, "-f", path.join(dir, "run.sql")], {}],
      // In process, the baseline is node-postgres alone: connect and read our journal (on our no-op database).
      inProcess: (_dir, url) => [node, [path.join(benchDir, "inprocess-floor.mjs")], { DATABASE_URL: url }],
      inProcessDatabase: "effect-migrate"
    }
  }
  const toolNames = Object.keys(tools).filter((name) => only === undefined || only.includes(name) || tools[name].baseline)

  const workloadsRoot = path.join(work, "workloads")
  const sizes = runs10k > 0 ? [100, 1000, 10000] : [100, 1000]
  log(`generating workloads (${sizes.join(", ")}) in ${path.relative(root, workloadsRoot)}`)
  const dirs = {}
  for (const tool of toolNames) for (const n of sizes) dirs[`${tool}/${n}`] = generate(workloadsRoot, tool, n)
  // Every command runs in bench/.work: there our CLI finds its default RLS file, sql/enable-rls.sql.
  mkdirSync(path.join(work, "sql"), { recursive: true })
  writeFileSync(path.join(work, "sql", "enable-rls.sql"), rlsSql)

  const logsDir = path.join(work, "logs")
  rmSync(logsDir, { recursive: true, force: true })
  mkdirSync(logsDir, { recursive: true })
  const timeFile = path.join(logsDir, "time.txt")
  const hasGnuTime = existsSync("/usr/bin/time")

  // Our settings come only from the tools' own environment: none leaks in from the shell (RLS_FILE=none, say).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_|MIGRATION|MIGRATIONS_DIR$|RLS_FILE$|LOG_FORMAT$|PG[A-Z]+$)/.test(key))
  )

  /** Runs one command; wall time from spawn to exit, and the peak RSS of the process (and the children it waited for). */
  const measure = ([command, commandArgs, env], tag) => {
    const logFile = path.join(logsDir, `${tag}.log`)
    const argv = hasGnuTime ? ["/usr/bin/time", ["-f", "%M %U %S", "-o", timeFile, command, ...commandArgs]] : [command, commandArgs]
    const started = process.hrtime.bigint()
    const result = spawnSync(argv[0], argv[1], {
      cwd: work,
      env: { ...inherited, NODE_OPTIONS: "", ...env },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024
    })
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    writeFileSync(logFile, `${result.stdout}\n--- stderr ---\n${result.stderr}`)
    if (result.status !== 0) {
      throw new Error(`${tag}: ${command} exited with ${result.status ?? result.signal}; see ${path.relative(root, logFile)}\n${(result.stderr || result.stdout).slice(-2000)}`)
    }
    let maxRssMb
    let cpuSeconds
    if (hasGnuTime) {
      const [kb, user, system] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1).split(" ").map(Number)
      maxRssMb = kb / 1024
      cpuSeconds = user + system
    }
    // Without /usr/bin/time, peak memory and CPU are reported as unknown: Node exposes no child's rusage.
    return { seconds, maxRssMb, cpuSeconds, stdout: result.stdout }
  }

  const samples = {} // key `${workload}|${tool}` -> array of { seconds, maxRssMb, ms? }
  const record = (workload, tool, sample) => {
    ;(samples[`${workload}|${tool}`] ??= []).push(sample)
  }
  const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length])
  const dbName = (tool, n, tag) => `b_${tool.replace(/[^a-z0-9]/g, "_")}_${n}_${tag}`

  const cold = async (tool, n, run, keep) => {
    const database = keep ? dbName(tool, n, "noop") : dbName(tool, n, `r${run}`)
    await createDatabase(database)
    const sample = measure(tools[tool].command(dirs[`${tool}/${n}`], urlOf(database)), `${tool}-${n}-cold-${run}`)
    await check(tool, database, n, `cold run ${run}`)
    if (!keep) await dropDatabase(database)
    record(`cold-${n}`, tool, sample)
    log(`  ${`cold ${n}`.padEnd(12)} ${tool.padEnd(16)} ${sample.seconds.toFixed(3)} s  ${sample.maxRssMb?.toFixed(0) ?? "?"} MB`)
  }
  const noop = async (tool, n, run) => {
    const database = dbName(tool, n, "noop")
    const sample = measure(tools[tool].command(dirs[`${tool}/${n}`], urlOf(database)), `${tool}-${n}-noop-${run}`)
    await check(tool, database, n, `no-op run ${run}`)
    record(`noop-${n}`, tool, sample)
    log(`  ${`no-op ${n}`.padEnd(12)} ${tool.padEnd(16)} ${sample.seconds.toFixed(3)} s  ${sample.maxRssMb?.toFixed(0) ?? "?"} MB`)
  }
  const inProcess = async (tool, n, run) => {
    const database = dbName(tools[tool].inProcessDatabase ?? tool, n, "noop")
    const sample = measure(tools[tool].inProcess(dirs[`${tool}/${n}`], urlOf(database)), `${tool}-${n}-inprocess-${run}`)
    const { ms, steadyMs, warmMs } = JSON.parse(sample.stdout.trim().split("\n").at(-1))
    await check(tool, database, n, `in-process run ${run}`)
    record(`inprocess-${n}`, tool, { ...sample, ms, warmMs, steadyMs })
    log(`  ${`in-process ${n}`.padEnd(12)} ${tool.padEnd(16)} ${ms.toFixed(1)} ms first layer build, ${warmMs.toFixed(1)} ms warm (builds 2-6), ${steadyMs.toFixed(1)} ms steady (12-21)`)
  }

  /** A failed or wrong run is reported, and the others go on: one broken peer must not void the whole run. */
  const failures = []
  const guarded = (step) => async (tool, ...rest) => {
    try {
      await step(tool, ...rest)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      failures.push({ tool, step: step.name, args: rest, message: message.slice(0, 2000) })
      log(`  FAILED ${tool} ${step.name} ${rest.join(" ")}: ${message.split("\n")[0]}`)
    }
  }
  const coldRun = guarded(cold)
  const noopRun = guarded(noop)
  const inProcessRun = guarded(inProcess)

  const migrators = toolNames.filter((tool) => !tools[tool].baseline)
  const inProcessTools = toolNames.filter((tool) =>
    tools[tool].inProcess !== undefined &&
    (tools[tool].inProcessDatabase === undefined || toolNames.includes(tools[tool].inProcessDatabase))
  )
  try {
    // One unrecorded run of each tool first: the file cache holds every tool's code, and our CLI's V8 code
    // cache (written beside dist/cli.cjs by its first run) exists, as it would after a deployment's first start.
    log("warm-up (not recorded)")
    for (const tool of toolNames) {
      const database = dbName(tool, 100, "warmup")
      await createDatabase(database)
      measure(tools[tool].command(dirs[`${tool}/100`], urlOf(database)), `${tool}-100-warmup`)
      await dropDatabase(database)
    }
    for (let run = 0; run < runs; run++) {
      log(`run ${run + 1}/${runs}`)
      for (const tool of rotate(toolNames, run)) await coldRun(tool, 100, run, false)
      for (const tool of rotate(toolNames, run)) await coldRun(tool, 1000, run, run === 0 && !tools[tool].baseline)
      for (const tool of rotate(migrators, run)) await noopRun(tool, 1000, run)
      for (const tool of rotate(inProcessTools, run)) await inProcessRun(tool, 1000, run)
    }
    for (let run = 0; run < runs10k; run++) {
      log(`10 000: run ${run + 1}/${runs10k}`)
      for (const tool of rotate(toolNames, run)) await coldRun(tool, 10000, run, run === 0 && !tools[tool].baseline)
      // No-op runs are cheap: as many as the other workloads.
      const noopRuns = run === runs10k - 1 ? runs - run : 1
      for (let extra = 0; extra < noopRuns; extra++) {
        for (const tool of rotate(migrators, run + extra)) await noopRun(tool, 10000, run + extra)
      }
    }
  } finally {
    await admin.end().catch(() => {})
    await cluster.stop()
  }

  // Summaries: medians, per-migration overhead over psql, ratios of ours to each peer.
  const workloads = [...new Set(Object.keys(samples).map((key) => key.split("|")[0]))]
  const summary = {}
  for (const workload of workloads) {
    summary[workload] = {}
    for (const tool of toolNames) {
      const list = samples[`${workload}|${tool}`]
      if (list === undefined) continue
      summary[workload][tool] = {
        runs: list.length,
        medianSeconds: median(list.map((s) => s.seconds)),
        medianMs: list[0].ms === undefined ? undefined : median(list.map((s) => s.ms)),
        medianWarmMs: list[0].warmMs === undefined ? undefined : median(list.map((s) => s.warmMs)),
        medianSteadyMs: list[0].steadyMs === undefined ? undefined : median(list.map((s) => s.steadyMs)),
        maxRssMb: list.some((s) => s.maxRssMb !== undefined) ? Math.max(...list.map((s) => s.maxRssMb ?? 0)) : undefined,
        // The tool's own CPU (user + system), not the server's: less disturbed by other load than wall time.
        medianCpuSeconds: list.some((s) => s.cpuSeconds !== undefined) ? median(list.map((s) => s.cpuSeconds ?? 0)) : undefined,
        seconds: list.map((s) => s.seconds),
        ms: list[0].ms === undefined ? undefined : list.map((s) => s.ms)
      }
    }
  }
  const overhead = {}
  for (const n of sizes) {
    const base = summary[`cold-${n}`]?.psql?.medianSeconds
    if (base === undefined) continue
    overhead[n] = {}
    for (const tool of migrators) {
      const own = summary[`cold-${n}`]?.[tool]?.medianSeconds
      if (own !== undefined) overhead[n][tool] = ((own - base) / n) * 1000
    }
  }
  const ours = "effect-migrate"
  const ratios = {}
  for (const workload of workloads) {
    const mine = summary[workload][ours]
    if (mine === undefined) continue
    ratios[workload] = {}
    for (const tool of migrators) {
      const theirs = summary[workload][tool]
      if (tool === ours || theirs === undefined) continue
      ratios[workload][tool] = workload.startsWith("inprocess")
        ? mine.medianMs / theirs.medianMs
        : mine.medianSeconds / theirs.medianSeconds
    }
  }

  const get = (workload, tool = ours) => summary[workload]?.[tool]
  const targets = []
  const target = (name, value, limit, unit, pass) => targets.push({ name, value, limit, unit, pass: pass(value, limit) })
  const le = (value, limit) => value <= limit
  const lt = (value, limit) => value < limit
  if (overhead[1000]?.[ours] !== undefined) target("ms per migration over psql (1000 cold)", overhead[1000][ours], 0.5, "ms", le)
  if (overhead[100]?.[ours] !== undefined) target("ms per migration over psql (100 cold)", overhead[100][ours], 0.5, "ms", le)
  if (Number.isFinite(ratios["cold-1000"]?.knex)) target("1000 cold, ratio to knex", ratios["cold-1000"].knex, 0.9, "x", le)
  if (Number.isFinite(ratios["noop-1000"]?.knex)) target("CLI no-op on 1000 applied, ratio to knex", ratios["noop-1000"].knex, 0.9, "x", le)
  const floor = get("inprocess-1000", "psql")?.medianMs
  if (get("inprocess-1000")?.medianMs !== undefined && floor !== undefined) {
    target("in-process no-op, 1000 applied: first MigrationsLayer build over the node-postgres floor", get("inprocess-1000").medianMs - floor, 45, "ms", le)
  }
  if (get("inprocess-1000")?.medianMs !== undefined) {
    target("in-process no-op, 1000 applied: first MigrationsLayer build in a fresh process", get("inprocess-1000").medianMs, 10, "ms", lt)
    target("in-process no-op, 1000 applied: later builds in the same process (2nd to 6th)", get("inprocess-1000").medianWarmMs, 10, "ms", lt)
  }
  const growth = (big, small) => get(big)?.medianSeconds / get(small)?.medianSeconds
  if (Number.isFinite(growth("cold-10000", "cold-1000"))) target("10 000 cold / 1000 cold", growth("cold-10000", "cold-1000"), 11, "x", le)
  if (Number.isFinite(growth("noop-10000", "noop-1000"))) target("10 000 no-op / 1000 no-op", growth("noop-10000", "noop-1000"), 11, "x", le)
  if (get("cold-1000")?.maxRssMb !== undefined) target("peak memory, 1000 cold", get("cold-1000").maxRssMb, 100, "MB", lt)
  if (get("noop-1000")?.maxRssMb !== undefined) target("peak memory, no-op on 1000", get("noop-1000").maxRssMb, 100, "MB", lt)

  const result = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    runs,
    runs10k,
    durationSeconds: (Date.now() - startedAt) / 1000,
    machine: { ...machine(), postgres: server.v, cluster: cluster.kind, fsync: server.fsync, synchronousCommit: server.sc },
    versions,
    labels: Object.fromEntries(toolNames.map((tool) => [tool, tools[tool].label])),
    summary,
    overheadMsPerMigration: overhead,
    ratios,
    targets,
    failures
  }
  mkdirSync(resultsDir, { recursive: true })
  // Quick runs are for development: kept out of the committed results.
  const jsonFile = quick ? path.join(work, "quick.json") : path.join(resultsDir, "latest.json")
  writeFileSync(jsonFile, JSON.stringify(result, null, 2) + "\n")
  writeFileSync(quick ? path.join(work, "quick.svg") : path.join(resultsDir, "chart.svg"), chart(result))
  process.stdout.write(report(result))
  log(`\nwrote ${path.relative(root, jsonFile)} and the chart in ${(result.durationSeconds / 60).toFixed(1)} min`)
  if (failures.length > 0) {
    log(`${failures.length} run(s) failed; see "failures" in ${path.relative(root, jsonFile)} and bench/.work/logs/`)
    process.exitCode = 1
  }
}

const fmt = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? "—" : value.toFixed(digits))

/** The results as markdown: the table the README shows. */
export const report = (result) => {
  const { labels, overheadMsPerMigration: overhead, ratios, summary } = result
  const tools = Object.keys(labels)
  const lines = []
  const s = (workload, tool) => summary[workload]?.[tool]?.medianSeconds
  const has10k = summary["cold-10000"] !== undefined
  lines.push(`\n### Medians (${result.runs} runs${has10k ? `; 10 000: ${result.runs10k} cold runs` : ""}), seconds\n`)
  const head = ["tool", "100 cold", "1000 cold", "no-op, 1000 applied", "ms/migration over psql (1000)"]
  if (has10k) head.push("10 000 cold", "no-op, 10 000 applied")
  head.push("in-process no-op, 1000: first / warm / steady build (ms)", "peak RSS, 1000 cold (MB)", "tool CPU, 1000 cold (s)")
  lines.push(`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`)
  for (const tool of tools) {
    const row = [
      tool === "effect-migrate" ? `**${labels[tool]}**` : labels[tool],
      fmt(s("cold-100", tool)),
      fmt(s("cold-1000", tool)),
      fmt(s("noop-1000", tool)),
      fmt(overhead[1000]?.[tool])
    ]
    if (has10k) row.push(fmt(s("cold-10000", tool)), fmt(s("noop-10000", tool)))
    const inProcess = summary["inprocess-1000"]?.[tool]
    row.push(
      inProcess === undefined ? "—" : `${fmt(inProcess.medianMs, 1)} / ${fmt(inProcess.medianWarmMs, 1)} / ${fmt(inProcess.medianSteadyMs, 1)}`,
      fmt(summary["cold-1000"]?.[tool]?.maxRssMb, 0),
      fmt(summary["cold-1000"]?.[tool]?.medianCpuSeconds)
    )
    lines.push(`| ${row.join(" | ")} |`)
  }
  lines.push("", "### effect-migrate's time as a ratio of each peer's (lower is better)\n")
  const peers = tools.filter((tool) => tool !== "effect-migrate" && tool !== "psql")
  const workloads = Object.keys(ratios)
  lines.push(`| workload | ${peers.map((p) => labels[p]).join(" | ")} |`, `|---|${peers.map(() => "---").join("|")}|`)
  for (const workload of workloads) {
    lines.push(`| ${workload} | ${peers.map((p) => fmt(ratios[workload][p])).join(" | ")} |`)
  }
  lines.push("", "### Targets\n", "| target | measured | limit | |", "|---|---|---|---|")
  for (const t of result.targets) lines.push(`| ${t.name} | ${fmt(t.value)} ${t.unit} | ${t.limit} ${t.unit} | ${t.pass ? "met" : "**missed**"} |`)
  const floor = summary["inprocess-1000"]?.psql
  const ours = summary["inprocess-1000"]?.["effect-migrate"]
  if (floor !== undefined && ours !== undefined) {
    lines.push(
      "",
      "### In process, against the floor\n",
      "The floor is node-postgres alone on the same server: a new connection and one query reading the journal's 1000 rows " +
        "(`bench/inprocess-floor.mjs`), nothing else.\n",
      "| build | effect-migrate (ms) | floor (ms) | effect-migrate over the floor (ms) |",
      "|---|---|---|---|"
    )
    for (const [name, key] of [["first, fresh process", "medianMs"], ["2nd to 6th", "medianWarmMs"], ["12th to 21st", "medianSteadyMs"]]) {
      lines.push(`| ${name} | ${fmt(ours[key], 1)} | ${fmt(floor[key], 1)} | ${fmt(ours[key] - floor[key], 1)} |`)
    }
  }
  for (const f of result.failures ?? []) lines.push("", `**Failed:** ${labels[f.tool]} ${f.step} ${f.args.join(" ")}: ${f.message.split("\n")[0]}`)
  const m = result.machine
  lines.push("", `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; ${m.postgres.split(" on ")[0]} (${m.cluster}, fsync=${m.fsync}, synchronous_commit=${m.synchronousCommit}); ${result.date}.`, "")
  return lines.join("\n")
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
