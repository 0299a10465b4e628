import { describe, expect, it } from "@effect/vitest"
import { Encoding } from "@vendor-sdk/core"

const { bracketPairs, queryPairs } = Encoding

describe("query encoding", () => {
  it("joins form arrays with commas when explode is false", () => {
    expect(queryPairs("tag", ["a", "b"], "form", false)).toEqual([["tag", "a,b"]])
  })
  it("repeats form arrays when explode is true", () => {
    expect(queryPairs("id", [1, 2], "form", true)).toEqual([["id", "1"], ["id", "2"]])
  })
  it("nests PHP-style brackets", () => {
    expect(bracketPairs("filter", { id: [1, 2], updated_at: { from: 5 } })).toEqual([
      ["filter[id][]", "1"],
      ["filter[id][]", "2"],
      ["filter[updated_at][from]", "5"]
    ])
  })
})
