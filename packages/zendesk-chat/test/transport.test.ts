/**
 * The session transport against the loopback server: answers matched by id with many requests in
 * flight, pushes routed to the right Stream, stop_subscription on interruption, PING keep-alives,
 * and recovery from an end of service and from a lost socket without the consumer noticing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import { Testing } from "@vendor-sdk/mock"
import { framesOf, setup } from "./support.ts"

const contents = (results: ReadonlyArray<ZendeskChat.SubscribeMessagesResult>) =>
  results.map((result) => result.message?.node?.content)

describe("requests", () => {
  it.effect("matches 20 concurrent requests to their answers by id, whatever order they come back in", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        pageSize: 1,
        departments: Array.from({ length: 20 }, (_, i) => ({ id: `d${i}`, name: `Department ${i}`, status: "ONLINE" as const }))
      })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        // The mock holds all 20 answers and sends them back in reverse order.
        yield* mock.reorder(20)
        const pages = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) => chat.listDepartments(i === 0 ? {} : { after: String(i - 1) })),
          { concurrency: "unbounded" }
        )
        expect(pages.map((page) => page.departments?.edges?.[0]?.node?.id)).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}`))
        const requests = yield* framesOf(mock, { operation: "listDepartments" })
        expect(new Set(requests.map(({ frame }) => frame.id)).size).toBe(20)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("subscriptions", () => {
  it.effect("routes each push to the Stream whose subscription_id it carries", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const first = yield* chat.subscribeMessages().pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
        const second = yield* chat.subscribeMessages().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 2))
        for (const text of ["one", "two", "three"]) yield* mock.visitorSays({ channelId: "c1", text })
        expect(contents(yield* Fiber.join(first))).toEqual(["one", "two", "three"])
        expect(contents(yield* Fiber.join(second))).toEqual(["one", "two"])
        const starts = yield* framesOf(mock, { operation: "subscribeMessages" })
        expect(starts.length).toBe(2)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("decodes the sender on __typename", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", visitor: { id: "2.jlgwAAseGzxwEr", display_name: "Visitor 12345678" }, text: "Hi" })
        yield* chat.sendMessage({ channel_id: "c1", msg: "Hello, how can I help?" })
        const senders = (yield* Fiber.join(fiber)).map((result) => result.message?.node?.from)
        expect(senders).toEqual([
          { __typename: "Visitor", display_name: "Visitor 12345678", id: "2.jlgwAAseGzxwEr" },
          { __typename: "Agent", display_name: "Chat Bot", id: "agent-api" }
        ])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("sends stop_subscription with the subscription_id when the Stream is interrupted", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* Fiber.interrupt(fiber)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 0))
        const [stop] = yield* framesOf(mock, { type: "stop_subscription" })
        const [start] = yield* framesOf(mock, { operation: "subscribeMessages" })
        expect(stop?.frame.payload.subscription_id).toMatch(/^sub-/)
        expect(stop?.frame.id).not.toBe(start?.frame.id)
        // The socket stays open for other work.
        expect(yield* chat.updateAgentStatus({ status: "ONLINE" })).toEqual({ updateAgentStatus: { node: { id: "agent-api" } } })
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("session", () => {
  it.effect("on EOS starts a new agent session and re-subscribes: the Stream goes on without gaps or duplicates", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(6), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        for (const text of ["1", "2", "3"]) yield* mock.visitorSays({ channelId: "c1", text })
        yield* mock.endOfService("unexpected session state")
        yield* Testing.settleUntil(
          Effect.map(Effect.all([mock.sessions, mock.liveSubscriptions]), ([sessions, live]) => sessions.length === 2 && live === 1)
        )
        for (const text of ["4", "5", "6"]) yield* mock.visitorSays({ channelId: "c1", text })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["1", "2", "3", "4", "5", "6"])
        const sessions = yield* mock.sessions
        expect(sessions.map((s) => s.ended)).toEqual([true, false])
        const starts = yield* framesOf(mock, { operation: "subscribeMessages" })
        expect(starts.map((s) => s.sessionId)).toEqual(sessions.map((s) => s.id))
        // Requests go to the new session.
        yield* chat.updateAgentStatus({ status: "ONLINE" })
        const [status] = yield* framesOf(mock, { operation: "updateAgentStatus" })
        expect(status?.sessionId).toBe(sessions[1]!.id)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("reopens the same session's socket after a loss without EOS, and re-subscribes", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "before" })
        yield* mock.dropConnections
        yield* Testing.settleUntil(
          Effect.map(framesOf(mock, { operation: "subscribeMessages" }), (starts) => starts.length === 2)
        )
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "after" })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["before", "after"])
        expect((yield* mock.sessions).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("sends a PING every pingInterval, and reconnects when one goes unanswered", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { pingInterval: "15 seconds" } })
      yield* Effect.gen(function*() {
        const pings = framesOf(mock, { sig: "PING" })
        yield* Testing.advanceUntil(Effect.map(pings, (p) => p.length === 3), { step: "1 second" })
        const times = (yield* pings).map((p) => p.receivedAt)
        expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([15_000, 15_000])
        expect(typeof (yield* pings)[0]!.frame.payload).toBe("number")
        // A silent server: the next ping finds the previous one unanswered and the socket is reopened.
        yield* mock.mute(true)
        const muted = yield* Testing.advanceUntil(Effect.map(mock.frames, (frames) => frames.some((f) => f.socket === 2)), {
          step: "1 second"
        }).pipe(Effect.andThen(mock.frames))
        yield* mock.mute(false)
        const onFirst = muted.filter((f) => f.socket === 1 && f.frame.sig === "PING").map((f) => f.receivedAt)
        // One ping went unanswered; at the next tick the socket was reopened (no ping on the dead one),
        // and the new socket's first ping came an interval after that.
        expect(onFirst.length).toBe(4)
        expect(muted.find((f) => f.socket === 2)!.receivedAt - onFirst[3]!).toBe(30_000)
        expect(yield* mock.openSockets).toBe(1)
        expect((yield* mock.sessions).length).toBe(1)
        const chat = yield* ZendeskChat.ZendeskChat
        expect(yield* chat.setTypingIndicator({ channel_id: "none", typing: true })).toEqual({ setTypingIndicator: { success: false } })
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("backs off between failed reconnects and gives up after the bound, failing the Stream and later requests", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { reconnect: { base: "1 second", cap: "4 seconds", times: 4, jitter: false } } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        // Zendesk is unreachable for new sessions: every startAgentSession gets a 503.
        yield* mock.failNext({ operation: "startAgentSession", protocolError: "GraphQL server unavailable", times: 100 })
        yield* mock.endOfService()
        yield* Testing.advanceUntil(Effect.map(mock.httpRequests, (r) => r.length === 5), { step: "100 millis" })
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe("GraphQLClientError")
        expect(error.message).toContain("gave up reconnecting after 4 failed attempts")
        const times = (yield* mock.httpRequests).slice(1).map((r) => r.receivedAt)
        // The first attempt right away, then 1 s, 2 s, 4 s (capped) after each failure.
        expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([1000, 2000, 4000])
        const later = yield* Effect.flip(chat.updateAgentStatus({ status: "ONLINE" }))
        expect(later.message).toContain("gave up reconnecting")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("stopAgentSession ends the session for good: no new session is started", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        expect(yield* chat.stopAgentSession()).toEqual({ stopAgentSession: { success: true } })
        yield* Testing.settleUntil(Effect.map(mock.openSockets, (n) => n === 0))
        const error = yield* Effect.flip(chat.updateAgentStatus({ status: "ONLINE" }))
        expect(error.message).toContain("stopAgentSession")
        expect((yield* mock.sessions).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})
