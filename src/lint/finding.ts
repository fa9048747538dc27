import type { RuleId } from "./rules/catalog.js"

/** What a finding's statement keeps others from doing while it holds its lock. */
export type Blocks = "reads" | "writes" | "both" | "none"

/** How long it holds that lock: a table rewrite, a full scan, or a brief moment (or the statement fails outright). */
export type Duration = "rewrite" | "scan" | "instant" | "fails"

/** `error` fails the lint (exit 1); `warning` is shown and does not. */
export type Level = "error" | "warning"

/** 1-based line and column (UTF-16 code units, as editors and SARIF count them). */
export interface Position {
  readonly line: number
  readonly column: number
}

export interface Finding extends Position {
  readonly file: string
  readonly rule: string
  readonly level: Level
  readonly message: string
  readonly blocks: Blocks
  readonly duration: Duration
  /** The safe way to write it. */
  readonly safe: string
  /** The source line the finding points into, for the caret display. */
  readonly sourceLine: string
}

/** A finding as a rule reports it: the offset (bytes, as the parser counts) of the node at fault, and what is wrong. */
export interface RuleHit {
  readonly rule: RuleId
  readonly offset: number
  readonly message: string
}
