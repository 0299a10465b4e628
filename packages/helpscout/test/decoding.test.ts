/**
 * Decoding realistic answers: HAL lists and their absence of `_embedded` when empty, every thread
 * type of the polymorphic thread union, date-times, and the `Resource-ID` of creates.
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import { newConversation, setup } from "./support.ts"

describe("decoding", () => {
  it.live("decodes a HAL page with its page metadata and links", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ pageSize: 2 })
      const page = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        for (const n of [1, 2, 3]) yield* conversations.createConversation({ body: newConversation(`c${n}`) })
        return yield* conversations.listConversations({ status: "all", sortOrder: "asc" })
      }).pipe(Effect.provide(layer))
      expect(page._embedded?.conversations?.map((c) => c.subject)).toEqual(["c1", "c2"])
      expect(page.page).toEqual({ size: 2, totalElements: 3, totalPages: 2, number: 1 })
      expect(page._links?.["next"]?.href).toMatch(/\/v2\/conversations\?page=2$/)
      const first = page._embedded!.conversations![0]!
      expect(DateTime.isDateTime(first.createdAt)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("decodes an empty list, which has no _embedded at all", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const [page, all] = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        const page = yield* conversations.listConversations({ status: "all" })
        const all = yield* conversations.listConversationsStream({ status: "all" }).pipe(Stream.runCollect)
        return [page, all] as const
      }).pipe(Effect.provide(layer))
      expect(page._embedded).toBeUndefined()
      expect(page.page?.totalPages).toBe(0)
      expect(all).toEqual([])
      expect((yield* mock.requests).length).toBe(2)
    }).pipe(Effect.scoped))

  it.live("decodes every thread type, and an unknown one through the catch-all member", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: HelpScout.Retry.disabled })
      const threads = yield* Effect.gen(function*() {
        const { id } = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("Threads") }))
        const t = yield* HelpScout.Threads
        const customer = { email: "customer@example.test" }
        yield* t.createChatThread({ conversationId: id, body: { type: "chat", text: "chat", customer } })
        yield* t.createNoteThread({ conversationId: id, body: { type: "note", text: "note" } })
        yield* t.createPhoneThread({ conversationId: id, body: { type: "phone", text: "phone", customer } })
        yield* t.createReplyThread({ conversationId: id, body: { type: "reply", text: "reply", customer } })
        // A type the reference does not list, as live data has (line items, forwards).
        mock.state.collection("threads").insert({ conversationId: id, type: "lineitem", action: { type: "moved", text: "Moved" } })
        return yield* t.listThreadsStream({ conversationId: id }).pipe(Stream.runCollect)
      }).pipe(Effect.provide(layer))
      expect(threads.map((thread) => thread.type)).toEqual(["customer", "chat", "note", "phone", "reply", "lineitem"])
      const note = threads.find((thread) => thread.type === "note")
      expect(note?.body).toBe("note")
      expect(threads[5]?.action?.text).toBe("Moved")
    }).pipe(Effect.scoped))

  it.live("returns the new id from Resource-ID and reads the created resource back", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup()
      const [created, customer] = yield* Effect.gen(function*() {
        const customers = yield* HelpScout.Customers
        const created = yield* customers.createCustomer({
          body: { firstName: "Vera", lastName: "Vendor", emails: [{ value: "vera@example.test", type: "work" }] }
        })
        return [created, yield* customers.getCustomer({ customerId: created.id })] as const
      }).pipe(Effect.provide(layer))
      expect(created).toEqual({ id: 100 })
      expect(customer.firstName).toBe("Vera")
      expect(customer._embedded?.emails?.[0]?.value).toBe("vera@example.test")
    }).pipe(Effect.scoped))
})
