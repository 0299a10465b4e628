/**
 * The legacy v2 API: limit_rows/limit_offset paging as a Stream, saves with a limit and v2's
 * per-item errors, and the raw AJAX request.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import { queryOf, setup } from "./support.ts"

const leads = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `lead-${i}`, sale: String(i * 10) }))

describe("v2", () => {
  it.live("pages a list with limit_rows=500 and limit_offset until a short page", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const names = yield* Effect.gen(function*() {
        const saved = yield* Kommo.Batch.leads.add(leads(1200))
        expect(saved.length).toBe(1200)
        yield* mock.clear
        const service = yield* Kommo.Leads
        return yield* service.listLeadsStream({}).pipe(Stream.map((lead) => lead.name), Stream.runCollect)
      }).pipe(Effect.provide(layer))
      expect(names).toEqual(leads(1200).map((l) => l.name))
      expect((yield* mock.requests).map((r) => queryOf(r))).toEqual([
        ["limit_rows=500", "limit_offset=0"],
        ["limit_rows=500", "limit_offset=500"],
        ["limit_rows=500", "limit_offset=1000"]
      ])
    }).pipe(Effect.scoped))

  it.live("ends the stream on a 204 after a full page, and on an empty list", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const [empty, full] = yield* Effect.gen(function*() {
        const service = yield* Kommo.Contacts
        const none = yield* Stream.runCollect(service.listContactsStream({}))
        yield* Kommo.Batch.contacts.add(Array.from({ length: 500 }, (_, i) => ({ name: `c${i}` })), { size: 500 })
        yield* mock.clear
        return [none, yield* Stream.runCollect(service.listContactsStream({}))] as const
      }).pipe(Effect.provide(layer))
      expect(empty).toEqual([])
      expect(full.length).toBe(500)
      expect((yield* mock.requests).map((r) => queryOf(r)[1])).toEqual(["limit_offset=0", "limit_offset=500"])
    }).pipe(Effect.scoped))

  it.live("saves in requests of at most 250, as {add} and {update} envelopes", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const ids = yield* Kommo.Batch.leads.add(leads(600)).pipe(Effect.provide(layer))
      const adds = yield* mock.requests
      expect(adds.map((r) => (r.body as { add: Array<unknown> }).add.length)).toEqual([250, 250, 100])
      yield* mock.clear
      yield* Kommo.Batch.leads.update(ids.slice(0, 3).map((saved) => ({ id: saved.id!, name: "renamed" }))).pipe(Effect.provide(layer))
      const [update] = yield* mock.requests
      const items = (update!.body as { update: Array<{ id: number; updated_at: number }> }).update
      expect(items.map((i) => i.id)).toEqual(ids.slice(0, 3).map((s) => s.id))
      // updated_at is stamped ahead of the stored one, as v2 requires
      expect(items.every((i) => typeof i.updated_at === "number")).toBe(true)
      expect(mock.state.collection<{ id: number; name: string }>("leads").get(ids[0]!.id!)?.name).toBe("renamed")
    }).pipe(Effect.scoped))

  it.live("reports items v2 refused with HTTP 200 in _embedded.errors", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup()
      const error = yield* Kommo.Batch.leads.update([{ id: 999, name: "ghost" }]).pipe(Effect.provide(layer), Effect.flip)
      if (error._tag !== "BatchError") return expect.fail(error._tag)
      expect(error.failed.map((f) => [f.index, f.error._tag])).toEqual([[0, "ItemsRejected"]])
    }).pipe(Effect.scoped))

  it.live("posts a raw AJAX request form-encoded with X-Requested-With", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Kommo.Ajax.request("contacts/list", {
        filter: { cf: { 123: { from: "01.01.2024", to: "31.01.2024" } } },
        useFilter: "y",
        element_type: 1,
        json: 1,
        page: 1
      }).pipe(Effect.provide(layer))
      const [request] = yield* mock.requests
      expect(request!.path).toBe("/ajax/contacts/list")
      expect(request!.headers["x-requested-with"]).toBe("XMLHttpRequest")
      expect(request!.headers["content-type"]).toContain("application/x-www-form-urlencoded")
      expect(decodeURIComponent(request!.text)).toBe(
        "filter[cf][123][from]=01.01.2024&filter[cf][123][to]=31.01.2024&useFilter=y&element_type=1&json=1&page=1"
      )
    }).pipe(Effect.scoped))
})
