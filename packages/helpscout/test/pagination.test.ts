/**
 * Streams over HAL pages: lazy (a page is fetched only when pulled), ordered, across 3+ pages, and
 * ending after the last page the vendor reports.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import { newConversation, setup } from "./support.ts"

describe("pagination", () => {
  it.live("streams every item across four pages, in order, then stops", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      const subjects = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        for (let i = 1; i <= 10; i++) yield* conversations.createConversation({ body: newConversation(`#${i}`) })
        yield* mock.clear
        return yield* conversations.listConversationsStream({ status: "all", sortOrder: "asc" }).pipe(
          Stream.map((c) => c.subject),
          Stream.runCollect
        )
      }).pipe(Effect.provide(layer))
      expect(subjects).toEqual(Array.from({ length: 10 }, (_, i) => `#${i + 1}`))
      const pages = (yield* mock.requests).map((r) => Object.fromEntries(r.query).page)
      expect(pages).toEqual(["1", "2", "3", "4"])
    }).pipe(Effect.scoped))

  it.live("is lazy: taking four items fetches two pages of three", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        for (let i = 1; i <= 10; i++) yield* conversations.createConversation({ body: newConversation(`#${i}`) })
        yield* mock.clear
        const taken = yield* conversations.listConversationsStream({ status: "all" }).pipe(Stream.take(4), Stream.runCollect)
        expect(taken.length).toBe(4)
      }).pipe(Effect.provide(layer))
      expect((yield* mock.requests).length).toBe(2)
    }).pipe(Effect.scoped))

  it.live("starts from the page the caller asks for", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 3 })
      const subjects = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        for (let i = 1; i <= 7; i++) yield* conversations.createConversation({ body: newConversation(`#${i}`) })
        yield* mock.clear
        return yield* conversations.listConversationsStream({ status: "all", sortOrder: "asc", page: 2 }).pipe(
          Stream.map((c) => c.subject),
          Stream.runCollect
        )
      }).pipe(Effect.provide(layer))
      expect(subjects).toEqual(["#4", "#5", "#6", "#7"])
    }).pipe(Effect.scoped))
})
