/**
 * The password of a URL's user-info, as written: WHATWG's reading (the one pg uses) when the URL parses; otherwise
 * up to the last `@` before the path, so that a raw `@`, `#` or `?` in the password does not cut it short.
 */
const userInfoPassword = (rest: string, parses: boolean): string | undefined => {
  let at: number
  if (parses) {
    const authorityEnd = rest.search(/[/?#]/)
    at = (authorityEnd < 0 ? rest : rest.slice(0, authorityEnd)).lastIndexOf("@")
  } else {
    const firstAt = rest.indexOf("@")
    if (firstAt < 0) return undefined
    const path = rest.indexOf("/", firstAt)
    at = (path < 0 ? rest : rest.slice(0, path)).lastIndexOf("@")
  }
  if (at < 0) return undefined
  const userInfo = rest.slice(0, at)
  const colon = userInfo.indexOf(":")
  return colon < 0 ? undefined : userInfo.slice(colon + 1)
}

/** Every `password=` value of the URL's query, as written. */
const queryPasswords = (rest: string): ReadonlyArray<string> => {
  const question = rest.indexOf("?")
  if (question < 0) return []
  return rest.slice(question + 1).split("#")[0]!.split("&").flatMap((pair) => {
    const equals = pair.indexOf("=")
    return equals >= 0 && formDecode(pair.slice(0, equals)).toLowerCase() === "password" ? [pair.slice(equals + 1)] : []
  })
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** How URLSearchParams (and so pg) reads a query value: `+` is a space. */
const formDecode = (text: string): string => safeDecode(text.replace(/\+/g, " "))

const parses = (url: string): boolean => {
  try {
    new URL(url)
    return true
  } catch {
    return false
  }
}

/** Every spelling of a password written in a URL: as written, decoded, encoded (`'` kept or as %27), as WHATWG normalises it. */
const spellings = (written: string, decode: (text: string) => string): ReadonlyArray<string> => {
  const decoded = decode(written)
  const normalised = new URL("x://h")
  normalised.password = written
  const encoded = encodeURIComponent(decoded)
  const encodedStrictly = encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return [written, decoded, encoded, encodedStrictly, normalised.password]
}

/** The passwords of one URL (`scheme://...` up to the next whitespace), in every spelling; none without one. */
const passwordsOf = (url: string): ReadonlyArray<string> => {
  const rest = url.slice(url.indexOf("://") + 3)
  const password = userInfoPassword(rest, parses(url))
  return [
    ...(password === undefined ? [] : spellings(password, safeDecode)),
    ...queryPasswords(rest).flatMap((written) => spellings(written, formDecode))
  ]
}

/** Every password found in URLs inside the texts (an environment variable, command-line arguments). */
export const passwordsIn = (texts: ReadonlyArray<string>): ReadonlyArray<string> => {
  const found = new Set<string>()
  for (const text of texts) {
    for (const [url] of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/\S+/gi)) {
      for (const password of passwordsOf(url)) if (password !== "") found.add(password)
    }
  }
  // Longest first, so a password that contains another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length)
}

/** A secret as it appears inside a JSON string: `"` and `\` escaped, control characters as `\n`, `\u0001`... */
const jsonEscaped = (secret: string): string => JSON.stringify(secret).slice(1, -1)

/** Replaces each secret, raw or JSON-escaped, with `***`; the longest spelling first. */
export const redactor = (secrets: ReadonlyArray<string>): (text: string) => string => {
  const spelled = [...new Set(secrets.flatMap((secret) => [secret, jsonEscaped(secret)]))]
    .filter((secret) => secret !== "")
    .sort((a, b) => b.length - a.length)
  if (spelled.length === 0) return (text) => text
  return (text) => spelled.reduce((result, secret) => result.includes(secret) ? result.split(secret).join("***") : result, text)
}

/** Replaces each secret in the text, raw or JSON-escaped, with `***`. */
export const redactSecrets = (secrets: ReadonlyArray<string>, text: string): string => redactor(secrets)(text)

