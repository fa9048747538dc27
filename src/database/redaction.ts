/** The password of a PostgreSQL URL, as written and URL-decoded; none for a URL without one. */
const passwordsOf = (url: string): ReadonlyArray<string> => {
  let password: string | undefined
  try {
    const parsed = new URL(url)
    password = parsed.password === "" ? undefined : parsed.password
  } catch {
    password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(url)?.[1]
  }
  if (password === undefined || password === "") return []
  return [...new Set([password, safeDecode(password)])].filter((variant) => variant !== "")
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Every password found in URLs inside the texts (an environment variable, command-line arguments). */
export const passwordsIn = (texts: ReadonlyArray<string>): ReadonlyArray<string> => {
  const found = new Set<string>()
  for (const text of texts) {
    for (const [url] of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi)) {
      for (const password of passwordsOf(url)) found.add(password)
    }
  }
  // Longest first, so a password that contains another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length)
}

/** Replaces each secret in the text with `***`. */
export const redactSecrets = (secrets: ReadonlyArray<string>, text: string): string =>
  secrets.reduce((result, secret) => result.split(secret).join("***"), text)
