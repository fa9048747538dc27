import { Either } from "effect"
import { MigrationLoadError } from "../errors.js"

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Bytes of a UTF-8 BOM, dropped before anything else reads the file. */
const hasBom = (bytes: Uint8Array) => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf

const isUtf16 = (bytes: Uint8Array) => (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence. */
export const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  let i = 0
  while (i < bytes.length) {
    const lead = bytes[i]!
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
    if (length === 0) return i
    if (length > 1) {
      const second = bytes[i + 1]
      if (second === undefined) return i
      const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
      const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
      if (second < low || second > high) return i
      for (let k = 2; k < length; k++) {
        const next = bytes[i + k]
        if (next === undefined || next < 0x80 || next > 0xbf) return i
      }
    }
    i += length
  }
  return -1
}

const refuse = (file: string, message: string) => Either.left(new MigrationLoadError({ file, message: `${file}: ${message}` }))

/**
 * A migration file's text: UTF-8 only, a BOM dropped. Another encoding (Latin-1, UTF-16) or a NUL byte is refused
 * with the byte offset, rather than applied with altered characters.
 */
export const decodeFileText = (file: string, bytes: Uint8Array): Either.Either<string, MigrationLoadError> => {
  if (isUtf16(bytes)) return refuse(file, "is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8")
  const body = hasBom(bytes) ? bytes.subarray(3) : bytes
  const offset = hasBom(bytes) ? 3 : 0
  const nul = body.indexOf(0)
  if (nul >= 0) return refuse(file, `has a NUL byte at byte offset ${nul + offset}: is it a text file in UTF-8?`)
  try {
    return Either.right(decoder.decode(body))
  } catch {
    const at = firstInvalidUtf8(body) + offset
    return refuse(file, `is not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")} at byte offset ${at}): ` +
      "save it as UTF-8 (Latin-1 or Windows-1252 text would be applied with altered characters)")
  }
}
