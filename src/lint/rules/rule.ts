import type { Node } from "libpg-query"
import type { RuleHit } from "../finding.js"
import type { Knowledge } from "../knowledge.js"

/** What a rule knows of the statement it checks, beyond its node. */
export interface RuleContext {
  readonly knowledge: Knowledge
  /** The migration runs in one transaction. */
  readonly transactional: boolean
  /** Byte offset of the statement's first keyword. */
  readonly start: number
  /** The migration changes the schema (it has statements other than INSERT/UPDATE/DELETE/SELECT). */
  readonly schemaMigration: boolean
  /** Enum values added by earlier statements of this migration (transactional migrations only). */
  readonly addedEnumValues: ReadonlySet<string>
}

export type Rule = (node: Node, context: RuleContext) => ReadonlyArray<RuleHit>

/** The location of a node when the parser gave one, else the statement's start. */
export const at = (location: number | undefined, context: RuleContext): number => location ?? context.start
