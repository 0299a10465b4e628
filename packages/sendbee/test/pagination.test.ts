/**
 * Streams over Sendbee's `meta` pages: lazy, ordered, across several pages, ending after
 * `meta.last_page` without an error, also when asked to start past the last page.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Sendbee } from "@vendor-sdk/sendbee"
import { seeded } from "@vendor-sdk/sendbee/mock"
import { setup } from "./support.ts"

const subscribeMany = (count: number) =>
  Sendbee.Contacts.use((contacts) =>
    Effect.forEach(
      Array.from({ length: count }, (_, i) => i + 1),
      (i) => contacts.subscribeContact({ body: { phone: `+38592000${String(i).padStart(4, "0")}`, name: `#${i}` } }),
      { discard: true }
    )
  )

const pagesRequested = (requests: ReadonlyArray<{ readonly query: ReadonlyArray<readonly [string, string]> }>) =>
  requests.map((r) => Object.fromEntries(r.query).page)

describe("pagination", () => {
  it.effect("streams every contact across four pages, in order, then stops after meta.last_page", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      const names = yield* Effect.gen(function*() {
        yield* subscribeMany(9)
        yield* mock.clear
        return yield* Sendbee.Contacts.use((c) => c.listContactsStream().pipe(Stream.map((contact) => contact.name), Stream.runCollect))
      }).pipe(Effect.provide(layer))
      // The seeded contact, then the nine new ones: 10 contacts on pages of 3.
      expect(names).toEqual(["Ana Horvat", ...Array.from({ length: 9 }, (_, i) => `#${i + 1}`)])
      expect(pagesRequested(yield* mock.requests)).toEqual(["1", "2", "3", "4"])
    }).pipe(Effect.scoped))

  it.effect("stops on a full last page without asking for the page after it", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 2 })
      const count = yield* Effect.gen(function*() {
        yield* subscribeMany(3)
        yield* mock.clear
        return (yield* Sendbee.Contacts.use((c) => c.listContactsStream().pipe(Stream.runCollect))).length
      }).pipe(Effect.provide(layer))
      expect(count).toBe(4)
      expect(pagesRequested(yield* mock.requests)).toEqual(["1", "2"])
    }).pipe(Effect.scoped))

  it.effect("is lazy: taking four items fetches two pages of three", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      yield* Effect.gen(function*() {
        yield* subscribeMany(9)
        yield* mock.clear
        const taken = yield* Sendbee.Contacts.use((c) => c.listContactsStream().pipe(Stream.take(4), Stream.runCollect))
        expect(taken.length).toBe(4)
      }).pipe(Effect.provide(layer))
      expect(pagesRequested(yield* mock.requests)).toEqual(["1", "2"])
    }).pipe(Effect.scoped))

  it.effect("keeps the filters and the page size on every page", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const names = yield* Effect.gen(function*() {
        yield* subscribeMany(5)
        yield* mock.clear
        return yield* Sendbee.Contacts.use((c) =>
          c.listContactsStream({ search_query: "#", limit: 2 }).pipe(Stream.map((contact) => contact.name), Stream.runCollect)
        )
      }).pipe(Effect.provide(layer))
      expect(names).toEqual(["#1", "#2", "#3", "#4", "#5"])
      const queries = (yield* mock.requests).map((r) => r.query)
      expect(queries).toEqual([1, 2, 3].map((page) => [["search_query", "#"], ["page", String(page)], ["limit", "2"]]))
    }).pipe(Effect.scoped))

  it.effect("ends, without an error, when asked to start past the last page", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      const items = yield* Sendbee.ContactTags.use((t) => t.listContactTagsStream({ page: 5 }).pipe(Stream.runCollect)).pipe(
        Effect.provide(layer)
      )
      expect(items).toEqual([])
      expect(pagesRequested(yield* mock.requests)).toEqual(["5"])
    }).pipe(Effect.scoped))

  it.effect("returns one page with its meta from the plain method", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ pageSize: 3 })
      const page = yield* Effect.gen(function*() {
        yield* subscribeMany(6)
        return yield* Sendbee.Contacts.use((c) => c.listContacts({ page: 3 }))
      }).pipe(Effect.provide(layer))
      expect(page.data.map((c) => c.name)).toEqual(["#6"])
      expect(page.meta).toEqual({ total: 7, from: 7, to: 7, per_page: 3, current_page: 3, last_page: 3 })
      expect(page.links?.next).toBeNull()
    }).pipe(Effect.scoped))

  it.effect("pages the messages of a conversation", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 1 })
      const bodies = yield* Sendbee.Messages.use((m) =>
        m.listMessagesStream({ conversation_id: seeded.conversation }).pipe(Stream.map((message) => message.body), Stream.runCollect)
      ).pipe(Effect.provide(layer))
      expect(bodies).toEqual(["Hi!", "Is my order on its way?"])
      expect(pagesRequested(yield* mock.requests)).toEqual(["1", "2"])
    }).pipe(Effect.scoped))
})
