/**
 * The legacy v2 API: limit_rows/limit_offset paging as a Stream, saves with a limit and v2's
 * per-item errors, and the raw AJAX request.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import type { Mock } from "@vendor-sdk/mock"
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

  it.live("keeps what v2 saved when it refuses some items of a request (HTTP 200), failing only those", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const stored = mock.state.collection<{ id: number; name: string }>("leads")
      const error = yield* Effect.gen(function*() {
        const [a, b] = yield* Kommo.Batch.leads.add([{ name: "a" }, { name: "b" }])
        yield* mock.clear
        return yield* Kommo.Batch.leads.update([
          { id: a!.id!, name: "a2" },
          { id: 999, name: "ghost" },
          { id: b!.id!, name: "b2" }
        ]).pipe(Effect.flip)
      }).pipe(Effect.provide(layer))
      if (error._tag !== "BatchError") return expect.fail(error._tag)
      // One request, answered 200: two items saved, one refused.
      expect((yield* mock.requests).length).toBe(1)
      expect(error.failed.map((f) => [f.index, f.item.id, f.error._tag])).toEqual([[1, 999, "ItemRejected"]])
      const refused = error.failed[0]!.error
      if (refused._tag !== "ItemRejected") return expect.fail(refused._tag)
      expect([refused.action, refused.code]).toEqual(["update", 213])
      expect(error.succeeded.map((s) => s.index)).toEqual([0, 2])
      expect(stored.list().map((lead) => lead.name)).toEqual(["a2", "b2"])
    }).pipe(Effect.scoped))

  it.live("matches added items by request id: refused ones fail, unmentioned ones are unconfirmed, the rest succeed", () =>
    Effect.gen(function*() {
      const base = KommoMock.definition({ rateLimit: false })
      // v2 saves what it can, refuses `poison` by request id, and says nothing about `silent`.
      const definition: Mock.Definition = {
        ...base,
        handlers: {
          ...base.handlers,
          saveLeads: (context) => {
            const items = (context.request.body as { add: Array<{ name: string; request_id: number }> }).add
            const saved = items.filter((item) => item.name !== "poison" && item.name !== "silent")
            return Effect.map(
              base.handlers!.saveLeads!({ ...context, request: { ...context.request, body: { add: saved } } }),
              (reply) => {
                const body = reply.body as { _embedded: { items: Array<{ request_id: number }> } }
                return {
                  ...reply,
                  body: {
                    ...body,
                    _embedded: {
                      // the mock numbered what it saw; v2 echoes the request ids it was sent
                      items: body._embedded.items.reverse().map((item, i, all) => ({ ...item, request_id: saved[all.length - 1 - i]!.request_id })),
                      errors: {
                        add: Object.fromEntries(items.filter((item) => item.name === "poison").map((item) => [item.request_id, { code: 240, message: "Invalid lead" }]))
                      }
                    }
                  }
                }
              }
            )
          }
        }
      }
      const { layer, mock } = yield* setup({ definition })
      const error = yield* Kommo.Batch.leads.add([{ name: "ok-0", request_id: "mine" }, { name: "poison" }, { name: "ok-2" }, { name: "silent" }, { name: "ok-4" }], { size: 5 })
        .pipe(Effect.provide(layer), Effect.flip)
      if (error._tag !== "BatchError") return expect.fail(error._tag)
      expect(error.failed.map((f) => [f.index, f.item.name, f.error._tag])).toEqual([
        [1, "poison", "ItemRejected"],
        [3, "silent", "ItemUnconfirmed"]
      ])
      const stored = mock.state.collection<{ id: number; name: string }>("leads")
      expect(error.succeeded.map((s) => [s.index, stored.get(s.result.id!)?.name])).toEqual([[0, "ok-0"], [2, "ok-2"], [4, "ok-4"]])
      // The caller's own request id is not sent, and comes back on its result.
      expect(error.succeeded.map((s) => s.result.request_id)).toEqual(["mine", 2, 4])
      const [request] = yield* mock.requests
      expect((request!.body as { add: Array<{ request_id: number }> }).add.map((item) => item.request_id)).toEqual([0, 1, 2, 3, 4])
    }).pipe(Effect.scoped))

  it.effect("stamps updated_at once the lock is held, strictly increasing for one lead, so back-to-back updates are not refused", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const stamps = yield* Effect.gen(function*() {
        const [lead] = yield* Kommo.Batch.leads.add([{ name: "Deal" }])
        const rename = (name: string) => Kommo.Batch.leads.update([{ id: lead!.id!, name }])
        // At one instant (the TestClock does not move): one after the other, then two at once.
        yield* rename("one")
        yield* rename("two")
        yield* Effect.all([rename("three"), rename("four")], { concurrency: "unbounded" })
        return (yield* mock.requests).flatMap((r) => (r.body as { update?: Array<{ updated_at: number }> }).update ?? []).map((i) => i.updated_at)
      }).pipe(Effect.provide(layer))
      expect(stamps).toEqual([5, 6, 7, 8])
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
