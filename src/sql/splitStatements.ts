/** One statement of a SQL script, and where its first token is. */
export interface SqlStatement {
  readonly text: string
  readonly line: number
  /** Index of the first token in the script (with CRLF line endings normalised to LF). */
  readonly offset: number
}

// Character classes by code, not by regular expression: every file is scanned at every start.
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128
const isIdentifierCode = (code: number) => isLetter(code) || (code >= 48 && code <= 57) || code === 36
// Where a dollar-quote tag may start and go on: `$tag$`, letters, `_` and any code unit from U+0080; digits after the first.
const isTagStart = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128
const isTagPart = (code: number) => isTagStart(code) || (code >= 48 && code <= 57)
const isSpaceCode = (code: number) => code === 32 || (code >= 9 && code <= 13)

// Sticky: from lastIndex, the rest of an identifier (letters, digits, `_`, `$`), ASCII only or beyond.
const asciiWordRest = /[A-Za-z0-9_$]*/y
const wordRest = /[A-Za-z0-9_$\u0080-\uffff]*/y

const LF = 10
const QUOTE = 39
const DOUBLE_QUOTE = 34
const DOLLAR = 36
const BACKSLASH = 92

/** Whether the ASCII identifier `text.slice(from, to)` is `word` (upper case) in any case. */
const isAsciiWord = (text: string, from: number, to: number, word: string): boolean => {
  if (to - from !== word.length) return false
  for (let k = from; k < to; k++) {
    const code = text.charCodeAt(k)
    if ((code >= 97 ? code - 32 : code) !== word.charCodeAt(k - from)) return false
  }
  return true
}

/** `isAsciiWord`, or for a word beyond ASCII a comparison of its `toUpperCase()`, given as `upper`. */
const isWord = (text: string, from: number, to: number, upper: string | undefined, word: string): boolean =>
  upper === undefined ? isAsciiWord(text, from, to, word) : upper === word

const countLines = (text: string, from: number, to: number): number => {
  let count = 0
  for (let at = text.indexOf("\n", from); at >= 0 && at < to; at = text.indexOf("\n", at + 1)) count++
  return count
}

/** Where the nested block comment opened at `from` ends (just after its last `*\/`), or -1 if it never does. */
const blockCommentEnd = (text: string, from: number): number => {
  let depth = 1
  let k = from + 2
  while (k < text.length && depth > 0) {
    const c = text.charCodeAt(k)
    if (c === 47 && text.charCodeAt(k + 1) === 42) {
      depth++
      k += 2
    } else if (c === 42 && text.charCodeAt(k + 1) === 47) {
      depth--
      k += 2
    } else k++
  }
  return depth > 0 ? -1 : k
}

/**
 * The index of the quote that closes the string or quoted identifier opened at `from` (doubled quotes inside;
 * backslash escapes in an `E'...'` string), or at least `text.length` if none does.
 */
const quoteEnd = (text: string, from: number, code: number): number => {
  const before = text.charCodeAt(from - 1)
  const escapes = code === QUOTE && (before === 69 || before === 101) && !(from >= 2 && isIdentifierCode(text.charCodeAt(from - 2)))
  let k = from + 1
  if (escapes) {
    while (k < text.length) {
      const c = text.charCodeAt(k)
      if (c === BACKSLASH) {
        k += 2
        continue
      }
      if (c === code) {
        if (text.charCodeAt(k + 1) === code) {
          k += 2
          continue
        }
        return k
      }
      k++
    }
    return k
  }
  const quote = code === QUOTE ? "'" : "\""
  for (;;) {
    const close = text.indexOf(quote, k)
    if (close < 0) return text.length
    if (text.charCodeAt(close + 1) !== code) return close
    k = close + 2
  }
}

/** The index of the `$` that ends a `$$` or `$tag$` opening at `from` (the whole tag within 64 characters), or -1. */
const dollarTagEnd = (text: string, from: number): number => {
  let k = from + 1
  if (k < text.length && isTagStart(text.charCodeAt(k))) {
    k++
    while (k < text.length && isTagPart(text.charCodeAt(k))) k++
  }
  return k < text.length && k < from + 64 && text.charCodeAt(k) === DOLLAR ? k : -1
}

/** A quote, dollar-quoted body or comment still open at the end of a script: everything after it would be swallowed. */
export interface Unterminated {
  readonly what: string
  readonly line: number
}

export interface ScannedScript {
  readonly statements: ReadonlyArray<SqlStatement>
  readonly unterminated: Unterminated | undefined
}

export const splitStatements = (script: string): ReadonlyArray<SqlStatement> => scanStatements(script).statements

/** The state of one scan: where the statement being read starts, and what its words so far say. */
class StatementScanner {
  readonly statements: Array<SqlStatement> = []
  unterminated: Unterminated | undefined
  line = 1
  i = 0
  // The statement being read: where and on which line its first token is (-1: none yet).
  firstTokenAt = -1
  firstTokenLine = 0
  // Its first word: 0 none yet, 1 CREATE, 2 another; whether the word just before is BEGIN (side by side).
  firstWord = 0
  previousIsBegin = false
  atomicDepth = 0
  parenDepth = 0

  constructor(readonly text: string) {}

  scan(): ScannedScript {
    const { text } = this
    const length = text.length
    while (this.i < length) {
      const code = text.charCodeAt(this.i)
      if (code === LF) {
        this.line++
        this.i++
      } else if (code === 32 || code === 9) this.i++
      // Words first: most of a script (none of the characters below is a letter).
      else if (isLetter(code)) this.word(code)
      else if (code === 45 && text.charCodeAt(this.i + 1) === 45) {
        // -- comment: to the end of the line.
        const end = text.indexOf("\n", this.i)
        this.i = end < 0 ? length : end
      } else if (code === 47 && text.charCodeAt(this.i + 1) === 42) this.blockComment()
      else if (code === QUOTE || code === DOUBLE_QUOTE) this.quoted(code)
      else if (!(code === DOLLAR && this.dollarQuoted())) this.punctuation(code)
    }
    if (this.firstTokenAt >= 0) this.push(length)
    return { statements: this.statements, unterminated: this.unterminated }
  }

  private tokenStarts(): void {
    if (this.firstTokenAt < 0) {
      this.firstTokenAt = this.i
      this.firstTokenLine = this.line
    }
  }

  private push(end: number): void {
    const { firstTokenAt, text } = this
    this.statements.push({ text: text.slice(firstTokenAt, end).trim(), line: this.firstTokenLine, offset: firstTokenAt })
  }

  /** Moves past the text from `i` to `end`, counting its lines. */
  private skipTo(end: number): void {
    this.line += countLines(this.text, this.i, end)
    this.i = end
  }

  private word(code: number): void {
    const { text, i } = this
    this.tokenStarts()
    // The rest of the word natively: ASCII first, then (rarely) on through characters beyond it.
    asciiWordRest.lastIndex = i + 1
    asciiWordRest.test(text)
    let k = asciiWordRest.lastIndex
    let upper: string | undefined
    if (code >= 128 || text.charCodeAt(k) >= 128) {
      wordRest.lastIndex = k
      wordRest.test(text)
      k = wordRest.lastIndex
      // Compared as `toUpperCase` does beyond ASCII (`ſ` is an `S` to it), so the answer never depends on the path.
      upper = text.slice(i, k).toUpperCase()
    }
    const size = upper === undefined ? k - i : upper.length
    if (this.firstWord === 0) this.firstWord = size === 6 && isWord(text, i, k, upper, "CREATE") ? 1 : 2
    if (this.firstWord === 1) {
      if (this.previousIsBegin && size === 6 && isWord(text, i, k, upper, "ATOMIC")) this.atomicDepth++
      else if (this.atomicDepth > 0 && size === 4 && isWord(text, i, k, upper, "CASE")) this.atomicDepth++
      else if (this.atomicDepth > 0 && size === 3 && isWord(text, i, k, upper, "END")) this.atomicDepth--
    }
    this.previousIsBegin = size === 5 && isWord(text, i, k, upper, "BEGIN")
    this.i = k
  }

  /** /* comment *\/, nested. */
  private blockComment(): void {
    const k = blockCommentEnd(this.text, this.i)
    if (k < 0) this.unterminated ??= { what: "a /* comment", line: this.line }
    this.skipTo(k < 0 ? this.text.length : k)
  }

  private quoted(code: number): void {
    this.tokenStarts()
    this.previousIsBegin = false
    const k = quoteEnd(this.text, this.i, code)
    if (k >= this.text.length) {
      this.unterminated ??= { what: code === QUOTE ? "a quoted string" : "a quoted identifier", line: this.line }
    }
    this.skipTo(k + 1)
  }

  /** $$ or $tag$, the whole tag within 64 characters; false when the `$` opens none. */
  private dollarQuoted(): boolean {
    const { text, i } = this
    if (i >= 1 && isIdentifierCode(text.charCodeAt(i - 1))) return false
    const k = dollarTagEnd(text, i)
    if (k < 0) return false
    this.tokenStarts()
    const tag = text.slice(i, k + 1)
    const close = text.indexOf(tag, k + 1)
    if (close < 0) this.unterminated ??= { what: `a ${tag} dollar-quoted body`, line: this.line }
    this.skipTo(close < 0 ? text.length : close + tag.length)
    return true
  }

  private punctuation(code: number): void {
    if (code === 40) this.parenDepth++
    else if (code === 41 && this.parenDepth > 0) this.parenDepth--
    if (code === 59 && this.atomicDepth === 0 && this.parenDepth === 0) {
      if (this.firstTokenAt >= 0) this.push(this.i)
      this.firstTokenAt = -1
      this.firstWord = 0
      this.previousIsBegin = false
    } else if (!isSpaceCode(code)) {
      this.tokenStarts()
      // BEGIN ATOMIC only when the two words stand side by side: not `CREATE TABLE begin (atomic int)`.
      this.previousIsBegin = false
    }
    this.i++
  }
}

/**
 * Splits a script at the semicolons psql would end statements at: not inside `'...'`, `E'...'` (backslash
 * escapes), `"..."`, `$$...$$` / `$tag$...$tag$`, `--` or nested `/* *\/` comments, parentheses, nor a
 * `BEGIN ATOMIC ... END` function body. A statement's text starts at its first token (comments before it
 * are left out); statements that hold only comments are dropped.
 */
export const scanStatements = (script: string): ScannedScript =>
  new StatementScanner(script.includes("\r") ? script.replace(/\r\n?/g, "\n") : script).scan()
