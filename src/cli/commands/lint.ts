import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import * as path from "node:path"
import { loadLintDisabled } from "../../config.js"
import { ConfigError, MigrationLoadError } from "../../errors.js"
import type { Finding } from "../../lint/finding.js"
import { renderGithub } from "../../lint/reporters/github.js"
import { renderJson } from "../../lint/reporters/json.js"
import { renderSarif } from "../../lint/reporters/sarif.js"
import { renderText, summary } from "../../lint/reporters/text.js"
import { isRuleId } from "../../lint/rules/catalog.js"
import { type LintRole, lintMigrations, rolesOfPlan } from "../../lint/run.js"
import { fromConfig, fromDirectory, MigrationSource } from "../../source/MigrationSource.js"
import { live, runCommand } from "../environment.js"
import { Reported } from "../exitCode.js"
import { globalOptions } from "../globalOptions.js"
import { readPlan } from "../state.js"
import { version } from "../version.js"

const formats = ["text", "json", "github", "sarif"] as const

const lintOptions = {
  ...globalOptions,
  all: Options.boolean("all").pipe(Options.withDescription("lint every migration, not only the pending ones (no database needed)")),
  format: Options.choice("format", formats).pipe(
    Options.withDescription("text (with carets), json, github (workflow annotations) or sarif"),
    Options.withDefault("text" as const)
  ),
  files: Args.text({ name: "files" }).pipe(Args.withDescription("migration files to lint, taken as pending"), Args.repeated)
}


/** Named files: every migration of their directories, in order; the named ones linted as pending, the rest learnt from. */
const namedFiles = (files: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const wanted = new Set(files.map((file) => path.resolve(file)))
    const directories = [...new Set([...wanted].map((file) => path.dirname(file)))]
    const roles: Array<LintRole> = []
    for (const directory of directories) {
      const listing = yield* Effect.provide(Effect.flatMap(MigrationSource, (source) => source.inspect), fromDirectory(directory))
      const failure = listing.failures.find((error) => wanted.has(path.resolve(error.file)))
      if (failure !== undefined) return yield* Effect.fail(failure)
      for (const migration of listing.migrations) {
        const named = wanted.has(path.resolve(migration.source))
        roles.push({ migration, report: named, fresh: named })
      }
    }
    const found = new Set(roles.filter((role) => role.report).map((role) => path.resolve(role.migration.source)))
    const missing = [...wanted].find((file) => !found.has(file))
    if (missing !== undefined) {
      return yield* new MigrationLoadError({ file: missing, message: `${missing}: not a migration file (or not found)` })
    }
    return roles.sort((a, b) => a.migration.timestamp - b.migration.timestamp || a.migration.id.localeCompare(b.migration.id))
  })

/** Every migration: each linted as if the ones before it were applied (only what a file creates itself is new). */
const everyMigration = Effect.map(
  Effect.provide(Effect.flatMap(MigrationSource, (source) => source.load), fromConfig),
  (migrations) => migrations.map((migration): LintRole => ({ migration, report: true, fresh: false }))
)

/** The pending migrations, after learning from the applied ones. */
const pendingMigrations = live(Effect.map(readPlan, rolesOfPlan))

const disabledRules = Effect.gen(function*() {
  const ids = yield* loadLintDisabled
  const unknown = ids.find((id) => !isRuleId(id))
  if (unknown !== undefined) {
    return yield* new ConfigError({ variable: "MIGRATION_LINT_DISABLE", message: `MIGRATION_LINT_DISABLE: unknown rule ${JSON.stringify(unknown)}` })
  }
  return new Set(ids)
})

const render = (format: (typeof formats)[number], findings: ReadonlyArray<Finding>, files: number) =>
  format === "json" ? renderJson(findings) : format === "github" ? renderGithub(findings) : format === "sarif"
    ? renderSarif(findings, version)
    : renderText(findings, files)

export const lintCommand = Command.make("lint", lintOptions, (options) =>
  runCommand(options, { command: "lint", logToStderr: true }, () =>
    Effect.gen(function*() {
      const disabled = yield* disabledRules
      const roles = options.files.length > 0
        ? yield* namedFiles(options.files)
        : options.all ? yield* everyMigration : yield* pendingMigrations
      const result = yield* lintMigrations(roles, disabled)
      const linted = result.linted
      const findings = result.findings.map((finding) => ({
        ...finding,
        file: path.relative(process.cwd(), finding.file) || finding.file
      }))
      const output = render(options.format, findings, linted)
      if (output !== "") yield* Console.log(output)
      if (options.format === "github") yield* Console.error(summary(findings, linted))
      if (findings.some((finding) => finding.level === "error")) {
        return yield* new Reported({ tag: "LintFailed", message: summary(findings, linted) })
      }
    }))).pipe(
    Command.withDescription(
      "Check migrations for statements that would lock production (exit 1 on errors). Pending ones by default.\n" +
        "Examples: effect-migrate lint   |   effect-migrate lint --all   |   " +
        "effect-migrate lint migrations/20240102000000_add_index.sql --format github"
    )
  )
