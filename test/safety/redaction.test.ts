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
