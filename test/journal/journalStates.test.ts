import { describe, expect, it } from "@effect/vitest"
import { journalStates } from "../../src/journal/journalColumns.js"

describe("journalStates: the journal's state read back from one text", () => {
  it("reads each line's id, status and checksum; `-` is no checksum", () => {
    expect(journalStates(3, "a applied =s1\nb failed =s2\nc applied -")).toEqual([
      { id: "a", status: "applied", checksum: "s1" },
      { id: "b", status: "failed", checksum: "s2" },
      { id: "c", status: "applied", checksum: null }
    ])
  })

  it("an empty table is no rows", () => {
    expect(journalStates(0, null)).toEqual([])
  })

  it("gives up on any text it cannot read back for sure", () => {
    // A space inside a field: one line too many spaces.
    expect(journalStates(1, "my id applied =s1")).toBeUndefined()
    // A line break inside a field: more lines than rows.
    expect(journalStates(1, "a\nb applied =s1")).toBeUndefined()
    // A row left out of string_agg (a null status): fewer lines than rows.
    expect(journalStates(2, "a applied =s1")).toBeUndefined()
    expect(journalStates(1, null)).toBeUndefined()
    expect(journalStates(1, "a applied s1")).toBeUndefined()
  })
})
