// The scanner as it was before it was rewritten for speed (commit 292bbdd): the oracle of scanStatements.equivalence.test.ts.
/** One statement of a SQL script, and where its first token is. */
export interface SqlStatement {
  readonly text: string
  readonly line: number
  /** Index of the first token in the script (with CRLF line endings normalised to LF). */
  readonly offset: number
}

// Character classes by code, not by regular expression: every file is scanned at every start.
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128
const isIdentifierStart = (char: string) => isLetter(char.charCodeAt(0))
const isIdentifierCode = (code: number) => isLetter(code) || (code >= 48 && code <= 57) || code === 36
const isIdentifierPart = (char: string) => isIdentifierCode(char.charCodeAt(0))
const isSpace = (char: string) => char === " " || char === "\t" || char === "\n" || char === "\r" || char === "\f" || char === "\v"

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
  const text = script.replace(/\r\n?/g, "\n")
  let unterminated: Unterminated | undefined
  const statements: Array<SqlStatement> = []
  let line = 1
  let firstTokenLine: number | undefined
  let firstTokenAt = 0
  let firstWord: string | undefined
  let previousWord: string | undefined
  let atomicDepth = 0
  let parenDepth = 0
  let i = 0

  const finish = (end: number) => {
    if (firstTokenLine !== undefined) {
      statements.push({ text: text.slice(firstTokenAt, end).trim(), line: firstTokenLine, offset: firstTokenAt })
    }
    firstTokenLine = undefined
    firstWord = undefined
    previousWord = undefined
    atomicDepth = 0
    parenDepth = 0
  }
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (text[k] === "\n") line++
  }
  const token = () => {
    if (firstTokenLine === undefined) {
      firstTokenLine = line
      firstTokenAt = i
    }
  }

  while (i < text.length) {
    const char = text[i]!
    const next = text[i + 1]
    if (char === "\n") {
      line++
      i++
      continue
    }
    if (char === "-" && next === "-") {
      const end = text.indexOf("\n", i)
      i = end < 0 ? text.length : end
      continue
    }
    if (char === "/" && next === "*") {
      let depth = 1
      let k = i + 2
      while (k < text.length && depth > 0) {
        if (text[k] === "/" && text[k + 1] === "*") {
          depth++
          k += 2
        } else if (text[k] === "*" && text[k + 1] === "/") {
          depth--
          k += 2
        } else k++
      }
      if (depth > 0) unterminated ??= { what: "a /* comment", line }
      countLines(i, k)
      i = k
      continue
    }
    if (char === "'" || char === '"') {
      token()
      previousWord = undefined
      const escapes = char === "'" && /[eE]/.test(text[i - 1] ?? "") && !isIdentifierPart(text[i - 2] ?? "")
      let k = i + 1
      while (k < text.length) {
        if (escapes && text[k] === "\\") {
          k += 2
          continue
        }
        if (text[k] === char) {
          if (text[k + 1] === char) {
            k += 2
            continue
          }
          break
        }
        k++
      }
      if (k >= text.length) unterminated ??= { what: char === "'" ? "a quoted string" : "a quoted identifier", line }
      countLines(i, k + 1)
      i = k + 1
      continue
    }
    if (char === "$" && !isIdentifierPart(text[i - 1] ?? " ")) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64))
      if (tag !== null) {
        token()
        const close = text.indexOf(tag[0], i + tag[0].length)
        if (close < 0) unterminated ??= { what: `a ${tag[0]} dollar-quoted body`, line }
        const end = close < 0 ? text.length : close + tag[0].length
        countLines(i, end)
        i = end
        continue
      }
    }
    if (isIdentifierStart(char)) {
      token()
      let k = i + 1
      while (k < text.length && isIdentifierCode(text.charCodeAt(k))) k++
      const word = text.slice(i, k).toUpperCase()
      firstWord ??= word
      if (firstWord === "CREATE") {
        if (word === "ATOMIC" && previousWord === "BEGIN") atomicDepth++
        else if (atomicDepth > 0 && word === "CASE") atomicDepth++
        else if (atomicDepth > 0 && word === "END") atomicDepth--
      }
      previousWord = word
      i = k
      continue
    }
    if (char === "(") parenDepth++
    else if (char === ")" && parenDepth > 0) parenDepth--
    if (char === ";" && atomicDepth === 0 && parenDepth === 0) {
      finish(i)
      i++
      continue
    }
    if (!isSpace(char)) {
      token()
      // BEGIN ATOMIC only when the two words stand side by side: not `CREATE TABLE begin (atomic int)`.
      previousWord = undefined
    }
    i++
  }
  finish(text.length)
  return { statements, unterminated }
}
