import type { Position } from "./finding.js"

/** UTF-8 length of one UTF-16 code unit (a surrogate pair counts 4 bytes, split over its two halves). */
const utf8Length = (code: number): number => (code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3)

/**
 * A migration's text with the means to turn the parser's offsets into lines and columns. The parser counts node
 * locations in UTF-8 bytes and syntax error positions in characters; lines and columns here are 1-based, columns in
 * UTF-16 code units.
 */
export class SourceText {
  private readonly lineStarts: ReadonlyArray<number>
  /** byteAt[i]: the UTF-8 offset of character i; undefined for ASCII text, where both agree. */
  private readonly byteAt: Int32Array | undefined

  constructor(readonly text: string) {
    const starts = [0]
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1)
    this.lineStarts = starts
    let ascii = true
    for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80
    if (ascii) {
      this.byteAt = undefined
    } else {
      const byteAt = new Int32Array(text.length + 1)
      for (let i = 0; i < text.length; i++) byteAt[i + 1] = byteAt[i]! + utf8Length(text.charCodeAt(i))
      this.byteAt = byteAt
    }
  }

  /** The character index of a UTF-8 byte offset. */
  charOfByte(byte: number): number {
    const byteAt = this.byteAt
    if (byteAt === undefined) return Math.min(byte, this.text.length)
    let low = 0
    let high = this.text.length
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (byteAt[middle]! <= byte) low = middle
      else high = middle - 1
    }
    return low
  }

  positionOfChar(index: number): Position {
    let low = 0
    let high = this.lineStarts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (this.lineStarts[middle]! <= index) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: index - this.lineStarts[low]! + 1 }
  }

  positionOfByte(byte: number): Position {
    return this.positionOfChar(this.charOfByte(byte))
  }

  /** The text of a 1-based line, without its line break. */
  line(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length
    const next = this.lineStarts[line]
    return this.text.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, "")
  }

  /** The first character at or after `index` that is neither white space nor inside a comment. */
  skipTrivia(index: number): number {
    const text = this.text
    let i = index
    while (i < text.length) {
      if (/\s/.test(text[i]!)) i++
      else if (text.startsWith("--", i)) {
        const end = text.indexOf("\n", i)
        i = end < 0 ? text.length : end + 1
      } else if (text.startsWith("/*", i)) {
        let depth = 1
        i += 2
        while (i < text.length && depth > 0) {
          if (text.startsWith("/*", i)) (depth++, i += 2)
          else if (text.startsWith("*/", i)) (depth--, i += 2)
          else i++
        }
      } else break
    }
    return i
  }

  /** The byte offset of a character index. */
  byteOfChar(index: number): number {
    return this.byteAt === undefined ? index : this.byteAt[index]!
  }
}
