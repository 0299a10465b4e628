import { describe, expect, it } from "@effect/vitest"
import { Data, Effect } from "effect"
import { Batch } from "@vendor-sdk/core"

class Rejected extends Data.TaggedError("Rejected")<{ readonly chunk: number }> {}

describe("Batch.run", () => {
  it.effect("splits 600 items into 3 requests of at most 250 and keeps input order", () =>
    Effect.gen(function*() {
      const sent: Array<number> = []
      const items = Array.from({ length: 600 }, (_, i) => i)
      const results = yield* Batch.run({
        items,
        size: 250,
        write: (chunk) => Effect.sync(() => (sent.push(chunk.length), chunk.map((n) => `#${n}`)))
      })
      expect(sent).toEqual([250, 250, 100])
      expect(results).toEqual(items.map((n) => `#${n}`))
    }))

  it.effect("names every item of a failed chunk and keeps the results of the others", () =>
    Effect.gen(function*() {
      let call = 0
      const error = yield* Effect.flip(Batch.run({
        items: Array.from({ length: 6 }, (_, i) => `lead-${i}`),
        size: 2,
        write: (chunk) => {
          const n = call++
          return n === 1 ? Effect.fail(new Rejected({ chunk: n })) : Effect.succeed(chunk.map((item) => item.toUpperCase()))
        }
      }))
      expect(error.failed.map((f) => [f.index, f.item, f.error._tag])).toEqual([[2, "lead-2", "Rejected"], [3, "lead-3", "Rejected"]])
      expect(error.succeeded).toEqual([
        { index: 0, result: "LEAD-0" },
        { index: 1, result: "LEAD-1" },
        { index: 4, result: "LEAD-4" },
        { index: 5, result: "LEAD-5" }
      ])
      expect(error.message).toBe("2 item(s) not written (Rejected); 4 written")
    }))

  it.effect("treats an answer with fewer results than items as a failure of that chunk", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Batch.run({ items: [1, 2, 3], size: 3, write: () => Effect.succeed(["only one"]) }))
      expect(error.failed.map((f) => f.error)).toEqual([
        new Batch.BatchMismatch({ sent: 3, received: 1 }),
        new Batch.BatchMismatch({ sent: 3, received: 1 }),
        new Batch.BatchMismatch({ sent: 3, received: 1 })
      ])
    }))

  it("rejects a chunk size that is not a positive integer", () => {
    expect(() => Batch.chunks([1], 0)).toThrow(RangeError)
  })
})
