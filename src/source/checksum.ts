import { createHash } from "node:crypto"

/** sha256 of a migration's text, with CRLF/CR line endings normalised so a checkout on Windows matches. */
export const checksum = (text: string): string => createHash("sha256").update(text.replace(/\r\n?/g, "\n")).digest("hex")
