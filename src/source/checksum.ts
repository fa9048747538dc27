import * as crypto from "node:crypto"

// One-shot `crypto.hash` (Node >= 20.12) is about twice as cheap as createHash per file; both hash the UTF-8 bytes.
const sha256Hex: (text: string) => string = typeof crypto.hash === "function"
  ? (text) => crypto.hash("sha256", text, "hex")
  : (text) => crypto.createHash("sha256").update(text).digest("hex")

/** sha256 of a migration's text, with CRLF/CR line endings normalised so a checkout on Windows matches. */
export const checksum = (text: string): string => sha256Hex(text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text)
