/**
 * Batch writes: any number of entities in requests of at most 250 (configurable, up to 500), results
 * in input order, and a failed request naming every entity it carried.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import type { Mock } from "@vendor-sdk/mock"
import { leads, setup } from "./support.ts"

/** The mock, answering each batch in reverse order and refusing any batch holding a lead named `poison`. */
const awkward = (): Mock.Definition => {
  const base = AmoCRMMock.definition({ rateLimit: false })
  return {
    ...base,
    handlers: {
      ...base.handlers,
      createLeads: (context) => {
        const items = context.request.body as Array<{ name?: string }>
        const poisoned = items.findIndex((item) => item.name === "poison")
        if (poisoned >= 0) {
          return Effect.succeed(AmoCRMMock.errorReply(400, "Request validation failed", [
            { path: `body.${poisoned}.name`, message: "NotSupportedChoice" }
          ]))
        }
        return Effect.map(base.handlers!.createLeads!(context), (reply) => {
          const body = reply.body as { _embedded: { leads: Array<unknown> } }
          return { ...reply, body: { ...body, _embedded: { leads: [...body._embedded.leads].reverse() } } }
        })
      }
    }
  }
}

describe("batch writes", () => {
  it.live("splits 600 leads into 3 requests of at most 250 and returns the results in input order", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ definition: awkward() })
      const results = yield* AmoCRM.Batch.createLeads(leads(600)).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(requests.map((r) => (r.body as Array<unknown>).length)).toEqual([250, 250, 100])
      expect(results.length).toBe(600)
      const stored = mock.state.collection<{ id: number; name: string }>("leads")
      expect(results.map((r) => stored.get(r.id!)?.name)).toEqual(leads(600).map((l) => l.name))
      // request ids are positions within each request
      expect((requests[1]!.body as Array<{ request_id: string }>).map((l) => l.request_id).slice(0, 3)).toEqual(["0", "1", "2"])
    }).pipe(Effect.scoped))

  it.live("takes another size, up to 500, and refuses a larger one before sending", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* AmoCRM.Batch.createLeads(leads(600), { size: 500 }).pipe(Effect.provide(layer))
      expect((yield* mock.requests).map((r) => (r.body as Array<unknown>).length)).toEqual([500, 100])
      yield* mock.clear
      const error = yield* AmoCRM.Batch.createLeads(leads(10), { size: 501 }).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("InvalidBatchSize")
      expect((yield* mock.requests).length).toBe(0)
    }).pipe(Effect.scoped))

  it.live("reports a failed request: every entity it carried is named, the others' results are kept", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ definition: awkward() })
      const input = leads(600)
      input[300] = { name: "poison" }
      const error = yield* AmoCRM.Batch.createLeads(input).pipe(Effect.provide(layer), Effect.flip)
      if (error._tag !== "BatchError") return expect.fail(`unexpected ${error._tag}`)
      expect(error.failed.map((f) => f.index)).toEqual(Array.from({ length: 250 }, (_, i) => 250 + i))
      expect(error.failed[50]!.item.name).toBe("poison")
      expect(error.failed[0]!.error._tag).toBe("ValidationError")
      expect(error.succeeded.map((s) => s.index)).toEqual([
        ...Array.from({ length: 250 }, (_, i) => i),
        ...Array.from({ length: 100 }, (_, i) => 500 + i)
      ])
      expect((yield* mock.requests).length).toBe(3)
      expect(mock.state.collection("leads").size).toBe(350)
    }).pipe(Effect.scoped))

  it.live("creates leads with their contact and company in one complex request per chunk", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const results = yield* AmoCRM.Batch.createLeadsComplex(
        Array.from({ length: 3 }, (_, i) => ({
          name: `complex-${i}`,
          _embedded: { contacts: [{ first_name: `Ann ${i}` }], companies: [{ name: `Acme ${i}` }] }
        })),
        { size: 2 }
      ).pipe(Effect.provide(layer))
      expect(results.length).toBe(3)
      expect((yield* mock.requests).map((r) => r.path)).toEqual(["/api/v4/leads/complex", "/api/v4/leads/complex"])
    }).pipe(Effect.scoped))

  it.live("sends positional request ids of its own, so the caller's duplicates cannot mix results up", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ definition: awkward() })
      const results = yield* AmoCRM.Batch.createLeads([
        { name: "first", request_id: "same" },
        { name: "second", request_id: "same" },
        { name: "third", request_id: "0" },
        { name: "fourth" }
      ]).pipe(Effect.provide(layer))
      const [request] = yield* mock.requests
      expect((request!.body as Array<{ request_id: string }>).map((l) => l.request_id)).toEqual(["0", "1", "2", "3"])
      const stored = mock.state.collection<{ id: number; name: string }>("leads")
      expect(results.map((r) => stored.get(r.id!)?.name)).toEqual(["first", "second", "third", "fourth"])
      // The caller's own ids come back on their results.
      expect(results.map((r) => r.request_id)).toEqual(["same", "same", "0", "3"])
    }).pipe(Effect.scoped))
})
