import { Effect } from "effect"
import type { Node } from "libpg-query"
import { statementKind } from "./ast.js"
import { directivesIn } from "./disable.js"
import type { Finding, RuleHit } from "./finding.js"
import { Knowledge } from "./knowledge.js"
import type { Parse } from "./parser.js"
import { catalog, type RuleId } from "./rules/catalog.js"
import { rules } from "./rules/index.js"
import type { RuleContext } from "./rules/rule.js"
import { SourceText } from "./sourceText.js"

/** One migration's SQL as the linter reads it: offsets in `sql` are the file's. */
export interface LintInput {
  readonly file: string
  readonly sql: string
  /** The file as written, when `sql` is a view of it (a module's literals): shown under findings. */
  readonly original?: string
  readonly transactional: boolean
  /** Checked and reported; otherwise only learnt from (an applied migration before the ones linted). */
  readonly report: boolean
  /** Not applied yet: the tables it creates are new for the migrations after it. */
  readonly fresh: boolean
  /** Findings found before parsing (SQL that cannot be seen), at character offsets. */
  readonly notes?: ReadonlyArray<Omit<RuleHit, "offset"> & { readonly index: number }>
}

const dataStatements = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "SelectStmt", "MergeStmt", "VariableSetStmt", "TransactionStmt"])

const finding = (input: LintInput, source: SourceText, rule: RuleId, index: number, message: string): Finding => {
  const position = source.positionOfChar(index)
  const { blocks, duration, level, safe } = catalog[rule]
  const sourceLine = input.original === undefined ? source.line(position.line) : new SourceText(input.original).line(position.line)
  return { file: input.file, ...position, rule, level, message, blocks, duration, safe, sourceLine }
}

const byPosition = (a: Finding, b: Finding) => a.line - b.line || a.column - b.column

const checkStatements = (
  input: LintInput,
  nodes: ReadonlyArray<{ readonly node: Node; readonly start: number }>,
  knowledge: Knowledge
): Array<RuleHit> => {
  const schemaMigration = nodes.some(({ node }) => !dataStatements.has(statementKind(node)))
  const addedEnumValues = new Set<string>()
  const hits: Array<RuleHit> = []
  for (const { node, start } of nodes) {
    if (input.report) {
      const context: RuleContext = { knowledge, transactional: input.transactional, start, schemaMigration, addedEnumValues }
      for (const rule of rules) hits.push(...rule(node, context))
    }
    knowledge.learn(node)
    if ("AlterEnumStmt" in node && node.AlterEnumStmt.newVal !== undefined && node.AlterEnumStmt.oldVal === undefined) {
      addedEnumValues.add(node.AlterEnumStmt.newVal)
    }
  }
  return hits
}

/** Lints one migration, learning what it creates for the ones after it. */
const lintOne = (parse: Parse, input: LintInput, knowledge: Knowledge, disabled: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const source = new SourceText(input.sql)
    const outcome = yield* Effect.promise(() => parse(input.sql))
    knowledge.begin(input.fresh)
    const found: Array<Finding> = (input.notes ?? []).map((note) => finding(input, source, note.rule, note.index, note.message))
    if (outcome._tag === "Failed") {
      if (input.report) found.push(finding(input, source, "parse-error", outcome.offset, outcome.message))
    } else {
      const nodes = outcome.statements.map(({ node, spanStart }) => ({
        node,
        start: source.byteOfChar(source.skipTrivia(source.charOfByte(spanStart)))
      }))
      for (const hit of checkStatements(input, nodes, knowledge)) {
        found.push(finding(input, source, hit.rule, source.charOfByte(hit.offset), hit.message))
      }
    }
    if (!input.report) return []
    const directives = directivesIn(input.sql)
    for (const problem of directives.problems) found.push(finding(input, source, problem.rule, problem.index, problem.message))
    return found.filter((item) => !directives.disabled.has(item.rule as RuleId) && !disabled.has(item.rule)).sort(byPosition)
  })

/**
 * Lints migrations in the order they run. Tables created by an earlier migration that is itself linted (pending)
 * count as new; those of migrations given only to learn from (applied) do not.
 */
export const lint = (parse: Parse, inputs: ReadonlyArray<LintInput>, disabled: ReadonlySet<string> = new Set()) =>
  Effect.gen(function*() {
    const knowledge = new Knowledge()
    const findings: Array<Finding> = []
    for (const input of inputs) findings.push(...(yield* lintOne(parse, input, knowledge, disabled)))
    return findings
  }).pipe(Effect.withSpan("effect-migrate/lint"))
