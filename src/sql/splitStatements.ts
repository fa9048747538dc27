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

/**
 * Splits a script at the semicolons psql would end statements at: not inside `'...'`, `E'...'` (backslash
 * escapes), `"..."`, `$$...$$` / `$tag$...$tag$`, `--` or nested `/* *\/` comments, parentheses, nor a
 * `BEGIN ATOMIC ... END` function body. A statement's text starts at its first token (comments before it
 * are left out); statements that hold only comments are dropped.
 */
export const scanStatements = (script: string): ScannedScript => {
  const text = script.includes("\r") ? script.replace(/\r\n?/g, "\n") : script
  const length = text.length
  let unterminated: Unterminated | undefined
  const statements: Array<SqlStatement> = []
  let line = 1
  // The statement being read: where and on which line its first token is (-1: none yet).
  let firstTokenAt = -1
  let firstTokenLine = 0
  // Its first word: 0 none yet, 1 CREATE, 2 another; whether the word just before is BEGIN (side by side).
  let firstWord = 0
  let previousIsBegin = false
  let atomicDepth = 0
  let parenDepth = 0
  let i = 0

  while (i < length) {
    const code = text.charCodeAt(i)
    if (code === LF) {
      line++
      i++
      continue
    }
    if (code === 32 || code === 9) {
      i++
      continue
    }
    // Words first: most of a script (none of the characters below is a letter).
    if (isLetter(code)) {
      if (firstTokenAt < 0) {
        firstTokenAt = i
        firstTokenLine = line
      }
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
      if (firstWord === 0) firstWord = size === 6 && isWord(text, i, k, upper, "CREATE") ? 1 : 2
      if (firstWord === 1) {
        if (previousIsBegin && size === 6 && isWord(text, i, k, upper, "ATOMIC")) atomicDepth++
        else if (atomicDepth > 0 && size === 4 && isWord(text, i, k, upper, "CASE")) atomicDepth++
        else if (atomicDepth > 0 && size === 3 && isWord(text, i, k, upper, "END")) atomicDepth--
      }
      previousIsBegin = size === 5 && isWord(text, i, k, upper, "BEGIN")
      i = k
      continue
    }
    if (code === 45 && text.charCodeAt(i + 1) === 45) {
      // -- comment: to the end of the line.
      const end = text.indexOf("\n", i)
      i = end < 0 ? length : end
      continue
    }
    if (code === 47 && text.charCodeAt(i + 1) === 42) {
      // /* comment */, nested.
      const k = blockCommentEnd(text, i)
      if (k < 0) unterminated ??= { what: "a /* comment", line }
      const end = k < 0 ? length : k
      line += countLines(text, i, end)
      i = end
      continue
    }
    if (code === QUOTE || code === DOUBLE_QUOTE) {
      if (firstTokenAt < 0) {
        firstTokenAt = i
        firstTokenLine = line
      }
      previousIsBegin = false
      const k = quoteEnd(text, i, code)
      if (k >= length) unterminated ??= { what: code === QUOTE ? "a quoted string" : "a quoted identifier", line }
      line += countLines(text, i, k + 1)
      i = k + 1
      continue
    }
    if (code === DOLLAR && !(i >= 1 && isIdentifierCode(text.charCodeAt(i - 1)))) {
      // $$ or $tag$, the whole tag within 64 characters.
      const k = dollarTagEnd(text, i)
      if (k >= 0) {
        if (firstTokenAt < 0) {
          firstTokenAt = i
          firstTokenLine = line
        }
        const tag = text.slice(i, k + 1)
        const close = text.indexOf(tag, k + 1)
        if (close < 0) unterminated ??= { what: `a ${tag} dollar-quoted body`, line }
        const end = close < 0 ? length : close + tag.length
        line += countLines(text, i, end)
        i = end
        continue
      }
    }
    if (code === 40) parenDepth++
    else if (code === 41 && parenDepth > 0) parenDepth--
    if (code === 59 && atomicDepth === 0 && parenDepth === 0) {
      if (firstTokenAt >= 0) {
        statements.push({ text: text.slice(firstTokenAt, i).trim(), line: firstTokenLine, offset: firstTokenAt })
      }
      firstTokenAt = -1
      firstWord = 0
      previousIsBegin = false
      atomicDepth = 0
      parenDepth = 0
      i++
      continue
    }
    if (!isSpaceCode(code)) {
      if (firstTokenAt < 0) {
        firstTokenAt = i
        firstTokenLine = line
      }
      // BEGIN ATOMIC only when the two words stand side by side: not `CREATE TABLE begin (atomic int)`.
      previousIsBegin = false
    }
    i++
  }
  if (firstTokenAt >= 0) {
    statements.push({ text: text.slice(firstTokenAt, length).trim(), line: firstTokenLine, offset: firstTokenAt })
  }
  return { statements, unterminated }
}
