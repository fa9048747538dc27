import { Effect, Schema } from "effect"
import type { Node, ParseResult } from "libpg-query"

/** libpg-query (PostgreSQL's parser as WebAssembly) could not be loaded. */
export class LintParserUnavailable extends Schema.TaggedError<LintParserUnavailable>()("LintParserUnavailable", {
  message: Schema.String
}) {}

/** One top-level statement: its node, and where it starts (after leading comments) as a byte offset. */
export interface ParsedStatement {
  readonly node: Node
  /** Byte offset of the span the parser gives, leading white space and comments included. */
  readonly spanStart: number
}

export type ParseOutcome =
  | { readonly _tag: "Parsed"; readonly statements: ReadonlyArray<ParsedStatement> }
  /** `offset` counts characters, as PostgreSQL's error cursor does. */
  | { readonly _tag: "Failed"; readonly message: string; readonly offset: number }

export type Parse = (sql: string) => Promise<ParseOutcome>

interface SqlErrorLike {
  readonly message: string
  readonly sqlDetails?: { readonly cursorPosition?: number }
}

const failed = (error: unknown): ParseOutcome => {
  const details = error as SqlErrorLike
  return { _tag: "Failed", message: String(details.message ?? error), offset: Math.max(0, details.sqlDetails?.cursorPosition ?? 0) }
}

let loading: Promise<Parse> | undefined

/** Loads the parser on first use only: it is never on the start-up path of the other commands. */
export const loadParser: Effect.Effect<Parse, LintParserUnavailable> = Effect.tryPromise({
  try: () =>
    loading ??= import("libpg-query").then((module): Parse => (sql) =>
      (module.parse(sql) as Promise<ParseResult>).then(
        (result): ParseOutcome => ({
          _tag: "Parsed",
          statements: (result.stmts ?? []).flatMap((raw) =>
            raw.stmt === undefined ? [] : [{ node: raw.stmt, spanStart: raw.stmt_location ?? 0 }]
          )
        }),
        failed
      )
    ),
  catch: (error) =>
    new LintParserUnavailable({ message: `could not load libpg-query, the SQL parser lint needs: ${String(error)}` })
}).pipe(Effect.withSpan("effect-migrate/lint/loadParser"))
