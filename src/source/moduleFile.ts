import { Effect, Either, FiberRef } from "effect"
import { pathToFileURL } from "node:url"
import { MigrationLoadError } from "../errors.js"
import * as Migration from "../migration.js"
import { effectVersionFrom, unsupportedEffect } from "../package/effectVersion.js"
import { ensureTypeScriptSupport } from "../package/typeScriptLoader.js"
import { scanStatements } from "../sql/splitStatements.js"
import { sqlForTransaction } from "../sql/transactionControl.js"
import { checksum } from "./checksum.js"
import { parseFileName, timestampProblem, titleFromSlug } from "./fileName.js"

const beforeFirstImport: Array<() => void> = []

/**
 * Runs `prepare` once, just before the first migration module is imported; never for `.sql`-only directories.
 * The CLI registers its module resolution hook here: registering an ESM hook starts a loader thread (~50 ms).
 */
export const onFirstModuleImport = (prepare: () => void): void => {
  beforeFirstImport.push(prepare)
}

const isTypeScript = (fileName: string) => /\.[mc]?ts$/.test(fileName)

/** A migration module's problem, followed by the Effect 4 explanation when the module's directory resolves Effect 4. */
const withEffectLine = (file: string, message: string) => {
  const problem = unsupportedEffect(effectVersionFrom(file))
  return problem === undefined ? message : `${message} (${problem})`
}

const unwrapDefault = (module: Record<string, unknown>): unknown => {
  let value: unknown = module.default
  // CommonJS modules imported from ESM may nest their export one level deeper.
  if (typeof value === "object" && value !== null && "default" in value && !Migration.isDefinition(value)) {
    value = (value as { readonly default: unknown }).default
  }
  return value
}

const stringField = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/** A named export; a CommonJS module (a `.ts` file outside a `"type": "module"` package) nests them in `default`. */
const namedExport = (module: Record<string, unknown>, key: string): unknown => {
  if (module[key] !== undefined) return module[key]
  const nested = module.default
  return typeof nested === "object" && nested !== null && key in nested ? (nested as Record<string, unknown>)[key] : undefined
}

/** Turns an imported module into a migration, or says what is wrong with it. */
export const migrationFromModule = (
  file: string,
  fileName: string,
  module: Record<string, unknown>,
  text: string
): Either.Either<Migration.Migration, MigrationLoadError> => {
  const parsed = parseFileName(fileName)
  const fail = (message: string) => Either.left(new MigrationLoadError({ file, message: withEffectLine(file, `${file}: ${message}`) }))
  const exported = unwrapDefault(module)

  if (typeof exported === "function" && !Migration.isEffectLike(exported)) {
    const problem = timestampProblem(parsed.timestamp)
    if (problem !== undefined) return fail(`${problem}: name legacy migrations <timestamp>_<slug>.ts`)
    const down = namedExport(module, "down")
    const timeout = namedExport(module, "timeout")
    return Either.right({
      id: parsed.id,
      name: stringField(namedExport(module, "name")) ?? (titleFromSlug(parsed.slug) || parsed.id),
      description: stringField(namedExport(module, "description")),
      timestamp: parsed.timestamp!,
      up: { _tag: "Legacy", run: exported as Migration.LegacyMigrationFunction },
      down: typeof down === "function" ? { _tag: "Legacy", run: down as Migration.LegacyMigrationFunction } : undefined,
      transaction: namedExport(module, "transaction") !== false,
      timeoutMs: typeof timeout === "number" ? timeout : undefined,
      checksum: checksum(text),
      source: file
    })
  }

  // @effect/sql's Migrator: the default export is the migration's Effect itself.
  const definition = Migration.isEffectLike(exported) ? { up: exported } : exported
  if (!Migration.isDefinition(definition)) {
    return fail(
      exported === undefined
        ? "no default export: export default Migration.make({ id, name, timestamp, up }) or an async (db) => boolean"
        : "the default export is not a migration: expected Migration.make({...}), an object with `up`, or an async (db) => boolean"
    )
  }
  return fromDefinition(definition, file, parsed.id, parsed.timestamp).pipe(
    Either.mapLeft((error) => new MigrationLoadError({ file, message: withEffectLine(file, error.message) })),
    Either.map((migration) => ({ ...migration, checksum: checksum(text) }))
  )
}

/** Validates a definition given in code or by a module; file-derived id and timestamp fill the gaps. */
export const fromDefinition = (
  definition: Migration.MigrationDefinition,
  source: string,
  fallbackId?: string,
  fallbackTimestamp?: number
): Either.Either<Migration.Migration, MigrationLoadError> => {
  const where = source === "code" ? `migration ${JSON.stringify(definition.id ?? "?")}` : source
  const fail = (message: string) => Either.left(new MigrationLoadError({ file: source, message: `${where}: ${message}` }))
  const id = stringField(definition.id) ?? fallbackId
  if (id === undefined || id.trim() === "") return fail("missing id")
  const timestamp = definition.timestamp ?? fallbackTimestamp
  const problem = timestampProblem(timestamp)
  if (problem !== undefined) return fail(problem)
  const checkStep = (step: unknown, field: string): string | undefined =>
    typeof step === "string" || typeof step === "function" || Migration.isEffectLike(step)
      ? undefined
      : `${field} must be SQL text, an Effect or an async (db) => boolean function`
  const upProblem = checkStep(definition.up, "up")
  if (upProblem !== undefined) return fail(upProblem)
  if (definition.down !== undefined) {
    const downProblem = checkStep(definition.down, "down")
    if (downProblem !== undefined) return fail(downProblem)
  }
  if (definition.timeout !== undefined && !(Number.isInteger(definition.timeout) && definition.timeout > 0)) {
    return fail("timeout must be a positive whole number of milliseconds")
  }
  const inTransaction = (step: Migration.MigrationStep, field: string) => {
    if (typeof step !== "string") return { step }
    const scanned = scanStatements(step)
    if (scanned.unterminated !== undefined) {
      const { line, what } = scanned.unterminated
      return { problem: `${field}: line ${line}: ${what} is never closed, so the rest of the text would be read as part of it` }
    }
    if (definition.transaction === false) return { step }
    const checked = sqlForTransaction(step, scanned.statements)
    return "problem" in checked ? { problem: `${field}: ${checked.problem}` } : { step: checked.sql }
  }
  const up = inTransaction(definition.up, "up")
  if ("problem" in up) return fail(up.problem)
  const down = definition.down === undefined ? undefined : inTransaction(definition.down, "down")
  if (down !== undefined && "problem" in down) return fail(down.problem)
  return Either.right({
    id,
    name: stringField(definition.name) ?? (titleFromSlug(id.replace(/^\d+[_-]?/, "")) || id),
    description: stringField(definition.description),
    timestamp: Number(timestamp),
    up: Migration.bodyFromStep(up.step),
    down: down === undefined ? undefined : Migration.bodyFromStep(down.step),
    transaction: definition.transaction !== false,
    timeoutMs: definition.timeout,
    checksum: typeof definition.up === "string"
      ? checksum(definition.up + "\n-- down --\n" + (typeof definition.down === "string" ? definition.down : ""))
      : undefined,
    source
  })
}

/** How long importing one migration module may take (init sets it to MIGRATION_TIMEOUT). */
export const importTimeoutMs = FiberRef.unsafeMake(60_000)

export const importModule = (file: string, fileName: string): Effect.Effect<Record<string, unknown>, MigrationLoadError> =>
  Effect.flatMap(FiberRef.get(importTimeoutMs), (timeoutMs) => Effect.tryPromise({
    try: async () => {
      for (const prepare of beforeFirstImport.splice(0)) prepare()
      if (isTypeScript(fileName)) await ensureTypeScriptSupport()
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>
    },
    catch: (cause) =>
      new MigrationLoadError({
        file,
        message: withEffectLine(file, `${file}: failed to import: ${cause instanceof Error ? cause.message : String(cause)}`)
      })
  }).pipe(
    // A top-level await that never settles would hold the run for ever, naming nothing.
    Effect.timeoutFail({
      duration: timeoutMs,
      onTimeout: () =>
        new MigrationLoadError({
          file,
          message: `${file}: importing it did not finish within ${timeoutMs}ms (MIGRATION_TIMEOUT): ` +
            "a top-level await that never settles?"
        })
    })
  ))
