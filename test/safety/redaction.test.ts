import { describe, expect, it } from "vitest"
import { tlsOptions } from "../../src/database/connect.js"
import { passwordsIn, redactSecrets } from "../../src/database/redaction.js"
import { redactPassword } from "../../src/database/target.js"

describe("redaction", () => {
  it("finds passwords in DATABASE_URL and in --database-url arguments, raw and URL-encoded", () => {
    const secrets = passwordsIn([
      "postgres://app:Sup3r-S3cret-pw%21%23@db:5432/app",
      "--database-url=postgresql://other:plain-pw@db/app",
      "--log-format"
    ])
    expect(secrets).toEqual(expect.arrayContaining(["Sup3r-S3cret-pw%21%23", "Sup3r-S3cret-pw!#", "plain-pw"]))
    const text = "failed for Sup3r-S3cret-pw!# and Sup3r-S3cret-pw%21%23 and plain-pw"
    expect(redactSecrets(secrets, text)).toBe("failed for *** and *** and ***")
  })

  it("handles URLs that do not parse, and URLs without a password", () => {
    expect(passwordsIn(["postgres://u:p4ss@127.0.0.1:notaport/db"])).toEqual(["p4ss"])
    expect(passwordsIn(["postgres://u@host/db", "pglite:memory", ""])).toEqual([])
    expect(redactPassword("postgres://u@host/db", "nothing to hide")).toBe("nothing to hide")
  })

  it("finds a password given as ?password= in the query, as written and decoded", () => {
    const secrets = passwordsIn(["postgres://app@db/app?sslmode=disable&password=Qu3ry%2Bpw%21+x"])
    expect(secrets).toEqual(expect.arrayContaining(["Qu3ry%2Bpw%21+x", "Qu3ry+pw! x"]))
    expect(redactSecrets(secrets, "auth failed: Qu3ry+pw! x / Qu3ry%2Bpw%21+x")).toBe("auth failed: *** / ***")
    expect(redactSecrets(secrets, "host db, database app, sslmode disable")).toBe("host db, database app, sslmode disable")
  })

  it("covers the percent-decoded and percent-encoded forms of a password", () => {
    const raw = "S3cret!'(pw)*"
    const fromRaw = passwordsIn([`postgres://app:${raw}@db/app`])
    const fromEncoded = passwordsIn([`postgres://app:${encodeURIComponent(raw)}@db/app`])
    const everyEncoding = [raw, encodeURIComponent(raw), "S3cret%21%27%28pw%29%2A"]
    for (const secrets of [fromRaw, fromEncoded]) {
      for (const form of everyEncoding) expect(redactSecrets(secrets, `[${form}]`)).toBe("[***]")
    }
  })

  it("covers a password containing a quote: it does not end the URL", () => {
    const secrets = passwordsIn(["postgres://app:it's-S3cret@db/app", "--database-url=postgres://app:qu\"ote-pw@db/app"])
    expect(secrets).toEqual(expect.arrayContaining(["it's-S3cret", `qu"ote-pw`]))
    expect(redactSecrets(secrets, `password "it's-S3cret" and 'qu"ote-pw'`)).toBe(`password "***" and '***'`)
  })

  it("covers the JSON-escaped form of a password containing \\ or \"", () => {
    const password = `back\\slash"quote`
    const secrets = passwordsIn([`postgres://app:${encodeURIComponent(password)}@db/app`])
    const line = JSON.stringify({ event: "db_migration_aborted", error: `authentication failed for ${password}` })
    expect(line).not.toContain(password)
    expect(redactSecrets(secrets, line)).toBe(JSON.stringify({ event: "db_migration_aborted", error: "authentication failed for ***" }))
    expect(redactSecrets(secrets, `raw: ${password}`)).toBe("raw: ***")
  })

  it("never redacts more than the password, even for a URL that does not parse", () => {
    // A raw `@` in the password of an unparseable URL: the whole password, not the letter before the `@`.
    const secrets = passwordsIn(["postgres://app:p@ss-word@127.0.0.1:notaport/db"])
    expect(secrets).toEqual(expect.arrayContaining(["p@ss-word"]))
    expect(secrets.every((secret) => secret.includes("ss-word"))).toBe(true)
    expect(redactSecrets(secrets, "postgres pglite p@ss-word")).toBe("postgres pglite ***")
    // An `@` in the query is not part of the password.
    expect(passwordsIn(["postgres://app:pw12@db/app?application_name=a@b"])).toEqual(["pw12"])
    expect(passwordsIn(["postgres://app:pw12@db?application_name=a@b"])).toEqual(["pw12"])
    expect(passwordsIn(["postgres://app@db/app?user=x:y@z"])).toEqual([])
  })
})

describe("tlsOptions: DATABASE_SSL first, then the URL's sslmode", () => {
  const params = (query: string) => new URLSearchParams(query)
  const pem = (file: string) => `PEM(${file})`

  it.each([
    ["false", "", false],
    ["true", "", { rejectUnauthorized: true }],
    ["no-verify", "", { rejectUnauthorized: false }],
    ["true", "sslmode=disable", { rejectUnauthorized: true }],
    ["no-verify", "sslmode=verify-full", { rejectUnauthorized: false }],
    ["false", "sslmode=require", { rejectUnauthorized: false }],
    ["false", "sslmode=verify-ca", { rejectUnauthorized: true }],
    ["false", "sslmode=verify-full", { rejectUnauthorized: true }],
    ["false", "ssl=true", { rejectUnauthorized: true }],
    ["false", "sslmode=disable", false]
  ] as const)("DATABASE_SSL=%s with ?%s", (ssl, query, expected) => {
    expect(tlsOptions(ssl, params(query), pem)).toEqual(expected)
  })

  it("reads sslrootcert, sslcert and sslkey as PEM files", () => {
    expect(tlsOptions("true", params("sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem"), pem)).toEqual({
      rejectUnauthorized: true,
      ca: "PEM(/ca.pem)",
      cert: "PEM(/c.pem)",
      key: "PEM(/k.pem)"
    })
  })
})
