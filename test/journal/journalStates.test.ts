import { describe, expect, it } from "@effect/vitest"
import { journalStates } from "../../src/journal/journalColumns.js"

describe("journalStates: the journal's state read back from one text", () => {
  it("reads each line's id, status and checksum; `-` is no checksum", () => {
    expect(journalStates({ rows: 3, odd: 0, text: "a applied =s1\nb failed =s2\nc applied -" })).toEqual([
      { id: "a", status: "applied", checksum: "s1" },
      { id: "b", status: "failed", checksum: "s2" },
      { id: "c", status: "applied", checksum: null }
    ])
  })

  it("an empty table is no rows", () => {
    expect(journalStates({ rows: 0, odd: 0, text: null })).toEqual([])
  })

  it("gives up on any text it cannot read back exactly", () => {
    // Rows the server counted as odd (a null status, a space or line break in a field).
    expect(journalStates({ rows: 2, odd: 1, text: "a applied =s1\nb applied =s2" })).toBeUndefined()
    // A null status left out of string_agg, and a line break adding a line back: the server's odd count catches it.
    expect(journalStates({ rows: 2, odd: 2, text: "first applied -\nsecond applied -" })).toBeUndefined()
    // And, should the counts ever miss one, the text's own shape.
    expect(journalStates({ rows: 1, odd: 0, text: "my id applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 1, odd: 0, text: "a\nb applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 2, odd: 0, text: "a applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 1, odd: 0, text: null })).toBeUndefined()
    expect(journalStates({ rows: 1, odd: 0, text: "a applied s1" })).toBeUndefined()
  })
})
