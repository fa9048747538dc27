import { describe, expect, it } from "@effect/vitest"
import { journalStates } from "../../src/journal/journalColumns.js"

describe("journalStates: the journal's state read back from one text", () => {
  it("reads each line's id, status and checksum; `-` is no checksum", () => {
    expect(journalStates({ rows: 3, text: "a applied =s1\nb failed =s2\nc applied -" })).toEqual([
      { id: "a", status: "applied", checksum: "s1" },
      { id: "b", status: "failed", checksum: "s2" },
      { id: "c", status: "applied", checksum: null }
    ])
  })

  it("a row with no status (an older tool's table) reads as an empty status: pending, as the pipeline sees it", () => {
    expect(journalStates({ rows: 1, text: "a  =s1" })).toEqual([{ id: "a", status: "", checksum: "s1" }])
  })

  it("an empty table is no rows", () => {
    expect(journalStates({ rows: 0, text: null })).toEqual([])
  })

  it("gives up on any text it cannot read back exactly", () => {
    // A space inside a field, a line break inside a field, a line missing.
    expect(journalStates({ rows: 1, text: "my id applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 1, text: "a\nb applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 2, text: "a applied =s1" })).toBeUndefined()
    expect(journalStates({ rows: 1, text: null })).toBeUndefined()
    expect(journalStates({ rows: 1, text: "a applied s1" })).toBeUndefined()
  })
})
