/**
 * How the session transport fails and recovers: which start failures are worth another attempt,
 * what a call lost with its socket may have done, timeouts, slow consumers, pushes nobody claims,
 * subscriptions a lost socket leaves on the server, the reconnect schedule, and a supervisor that
 * dies or is interrupted.
 */
import { NodeSocket } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Layer, Logger, References, Stream } from "effect"
import { Socket } from "effect/socket"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import * as Mock from "@vendor-sdk/zendesk-chat/mock"
import { Auth as CoreAuth } from "@vendor-sdk/core"
import { Testing } from "@vendor-sdk/mock"
import { framesOf, setup } from "./support.ts"

const contents = (results: ReadonlyArray<ZendeskChat.SubscribeMessagesResult>) =>
  results.map((result) => result.message?.node?.content)

const isDone = (fiber: Fiber.Fiber<unknown, unknown>) => Effect.sync(() => fiber.pollUnsafe() !== undefined)

/** A logger keeping every message (as text) it is given. */
const recording = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => void lines.push((Array.isArray(message) ? message : [message]).join(" ")))
  return { lines, layer: Logger.layer([logger]) }
}

describe("reconnect: temporary start failures", () => {
  it.effect("a token endpoint that is briefly down (CredentialsUnavailable without status) is tried again", () =>
    Effect.gen(function*() {
      let outages = 0
      const auth = ZendeskChat.Auth.layer(CoreAuth.make({
        authenticate: (request) =>
          outages > 0
            ? Effect.fail(new CoreAuth.CredentialsUnavailable({ message: `token endpoint unreachable (${outages--} more)` }))
            : CoreAuth.bearer(Mock.demoToken).authenticate(request)
      }))
      const { layer, mock } = yield* setup({ auth, session: { reconnect: { jitter: false } } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "before" })
        outages = 2
        yield* mock.endOfService()
        yield* Testing.advanceUntil(
          Effect.map(Effect.all([mock.sessions, mock.liveSubscriptions]), ([sessions, live]) => sessions.length === 2 && live === 1),
          { step: "100 millis", limit: "1 minute" }
        )
        expect(outages).toBe(0)
        yield* mock.visitorSays({ channelId: "c1", text: "after" })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["before", "after"])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a 5xx GraphQL answer to startAgentSession (a retryable ResponseError) is tried again", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { reconnect: { jitter: false } } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.failNext({ error: "INTERNAL_ERROR", operation: "startAgentSession", status: 502, times: 2 })
        yield* mock.endOfService()
        yield* Testing.advanceUntil(
          Effect.map(Effect.all([mock.sessions, mock.liveSubscriptions]), ([sessions, live]) => sessions.length === 2 && live === 1),
          { step: "100 millis", limit: "1 minute" }
        )
        // The first session's start, two refused attempts, the one that worked.
        expect((yield* mock.httpRequests).length).toBe(4)
        yield* mock.visitorSays({ channelId: "c1", text: "still here" })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["still here"])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a refused token on reconnect (CredentialsUnavailable with a 4xx status) ends the session for good", () =>
    Effect.gen(function*() {
      let refused = false
      const auth = ZendeskChat.Auth.layer(CoreAuth.make({
        authenticate: (request) =>
          refused
            ? Effect.fail(new CoreAuth.CredentialsUnavailable({ message: "invalid_grant", status: 400 }))
            : CoreAuth.bearer(Mock.demoToken).authenticate(request)
      }))
      const { layer, mock } = yield* setup({ auth })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        refused = true
        yield* mock.endOfService()
        const error = yield* Fiber.join(fiber)
        expect(error.message).toContain("cannot start a new agent session: invalid_grant")
        expect((yield* mock.sessions).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("stopAgentSession", () => {
  it.effect("a stopAgentSession that failed does not end the session at the next, unrelated EOS", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ error: "GRAPHQL_EXEC_ERROR", operation: "stopAgentSession" })
        const refused = yield* Effect.flip(chat.stopAgentSession())
        expect(refused._tag).toBe("ExecutionError")
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.endOfService("concurrent login")
        yield* Testing.settleUntil(
          Effect.map(Effect.all([mock.sessions, mock.liveSubscriptions]), ([sessions, live]) => sessions.length === 2 && live === 1)
        )
        yield* mock.visitorSays({ channelId: "c1", text: "still served" })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["still served"])
        expect(yield* chat.updateAgentStatus({ status: "ONLINE" })).toEqual({ updateAgentStatus: { node: { id: "agent-api" } } })
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("calls and the socket", () => {
  it.effect("a call in flight when the socket is lost: a mutation may have been applied (not retryable), a query is retryable", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.visitorSays({ channelId: "c1", text: "hi" })
        yield* mock.mute(true)
        const mutation = yield* chat.sendMessage({ channel_id: "c1", msg: "hello" }).pipe(Effect.flip, Effect.forkChild)
        const query = yield* chat.listAgents().pipe(Effect.flip, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.frames, (frames) => frames.filter((f) => f.frame.type === "request").length === 2))
        yield* mock.dropConnections
        yield* mock.mute(false)
        const lostMutation = yield* Fiber.join(mutation)
        expect(lostMutation._tag).toBe("GraphQLClientError")
        if (lostMutation._tag === "GraphQLClientError") {
          expect(lostMutation.reason._tag).toBe("TransportError")
          expect(lostMutation.isRetryable).toBe(false)
          expect(lostMutation.message).toContain("sendMessage may have been applied")
        }
        const lostQuery = yield* Fiber.join(query)
        expect(lostQuery._tag === "GraphQLClientError" && lostQuery.isRetryable).toBe(true)
        // Nothing was sent again behind the caller's back.
        expect((yield* framesOf(mock, { operation: "sendMessage" })).length).toBe(1)
        // The session goes on on the reopened socket.
        expect((yield* chat.listAgents()).agents?.edges?.length).toBe(2)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a frame that could not be written waits for the next socket and goes there, once", () =>
    Effect.gen(function*() {
      // A WebSocket whose send throws once for a sendMessage frame, as a broken pipe would.
      let breakNextSend = false
      const webSocket = Layer.effect(
        Socket.WebSocketConstructor,
        Socket.WebSocketConstructor.useSync((make) => (url: string, options?: Socket.WebSocketConstructorOptions) => {
          const ws = make(url, options)
          const send = ws.send.bind(ws)
          Object.assign(ws, {
            send: (data: string | Uint8Array<ArrayBuffer>) => {
              if (breakNextSend && typeof data === "string" && data.includes("sendMessage")) {
                breakNextSend = false
                throw new Error("write EPIPE")
              }
              send(data)
            }
          })
          return ws
        })
      ).pipe(Layer.provide(NodeSocket.layerWebSocketConstructor))
      const { layer, mock } = yield* setup({ webSocket })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.visitorSays({ channelId: "c1", text: "hi" })
        breakNextSend = true
        expect(yield* chat.sendMessage({ channel_id: "c1", msg: "hello" })).toEqual({ sendMessage: { success: true } })
        const sent = yield* framesOf(mock, { operation: "sendMessage" })
        expect(sent.map((f) => f.socket)).toEqual([2])
        expect((yield* mock.messages).filter((m) => m.kind === "text").map((m) => m.content)).toEqual(["hello"])
        expect((yield* mock.sessions).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("timeouts", () => {
  it.effect("a startAgentSession that never answers fails the layer after startTimeout", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { startTimeout: "5 seconds" } })
      yield* mock.failNext({ hang: true, operation: "startAgentSession" })
      const fiber = yield* Effect.provide(Effect.void, layer).pipe(Effect.flip, Effect.forkChild)
      yield* Testing.advanceUntil(isDone(fiber), { step: "1 second", limit: "1 minute" })
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("GraphQLClientError")
      expect(error.message).toContain("startAgentSession did not answer within 5s")
      if (error._tag === "GraphQLClientError") expect(error.isRetryable).toBe(true)
    }).pipe(Effect.scoped))

  it.effect("a request whose answer is dropped fails after requestTimeout while the socket stays up", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { requestTimeout: "10 seconds", pingInterval: "3 seconds" } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.visitorSays({ channelId: "c1", text: "hi" })
        yield* mock.failNext({ hang: true, operation: "listAgents" })
        yield* mock.failNext({ hang: true, operation: "sendMessage" })
        const query = yield* chat.listAgents().pipe(Effect.flip, Effect.forkChild)
        const mutation = yield* chat.sendMessage({ channel_id: "c1", msg: "hello" }).pipe(Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(Effect.all([isDone(query), isDone(mutation)]), ([a, b]) => a && b), {
          step: "1 second",
          limit: "1 minute"
        })
        const timedOut = yield* Fiber.join(query)
        expect(timedOut.message).toContain("No answer from Zendesk Chat within 10s to listAgents")
        expect(timedOut._tag === "GraphQLClientError" && timedOut.isRetryable).toBe(true)
        const unknown = yield* Fiber.join(mutation)
        expect(unknown.message).toContain("sendMessage may have been applied")
        expect(unknown._tag === "GraphQLClientError" && unknown.isRetryable).toBe(false)
        // The pings were answered all along: same socket, and it still serves.
        expect((yield* framesOf(mock, { sig: "PING" })).length).toBeGreaterThanOrEqual(3)
        expect((yield* mock.frames).every((f) => f.socket === 1)).toBe(true)
        expect((yield* chat.listAgents()).agents?.edges?.length).toBe(2)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a subscription whose start is never acknowledged fails its Stream after requestTimeout", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { requestTimeout: "10 seconds" } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ hang: true, operation: "subscribeMessages" })
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(isDone(fiber), { step: "1 second", limit: "1 minute" })
        const error = yield* Fiber.join(fiber)
        expect(error.message).toContain("No answer from Zendesk Chat within 10s to the subscribeMessages subscription")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("slow consumers", () => {
  it.effect("a consumer subscriptionBuffer pushes behind gets what was buffered, then a SubscriptionOverflow; the subscription is stopped", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ session: { subscriptionBuffer: 2 } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const gate = yield* Deferred.make<void>()
        const seen: Array<string | null | undefined> = []
        const fiber = yield* chat.subscribeMessages().pipe(
          Stream.runForEach((result) => Effect.andThen(Effect.sync(() => seen.push(result.message?.node?.content)), Deferred.await(gate))),
          Effect.flip,
          Effect.forkChild
        )
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "1" })
        yield* Testing.settleUntil(Effect.sync(() => seen.length === 1))
        // The consumer is stuck on "1": "2" and "3" fill the buffer, "4" is one too many.
        for (const text of ["2", "3", "4"]) yield* mock.visitorSays({ channelId: "c1", text })
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 0))
        yield* Deferred.succeed(gate, undefined)
        const error = yield* Fiber.join(fiber)
        expect(seen).toEqual(["1", "2", "3"])
        expect(ZendeskChat.Session.isSubscriptionOverflow(error)).toBe(true)
        expect(error.message).toContain("fell 2 pushes behind")
        expect(error._tag === "GraphQLClientError" && error.isRetryable).toBe(false)
        expect((yield* framesOf(mock, { type: "stop_subscription" })).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("pushes nobody claims", () => {
  it.effect("a push that overtakes its subscription's acknowledgement is held and delivered first", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.holdAcks(true)
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "early" })
        yield* mock.holdAcks(false)
        yield* mock.visitorSays({ channelId: "c1", text: "late" })
        expect(contents(yield* Fiber.join(fiber))).toEqual(["early", "late"])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a push for a subscription that is no longer live is dropped with a debug log", () =>
    Effect.gen(function*() {
      const logs = recording()
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        // The server has not handled the stop yet when the next message comes.
        yield* mock.mute(true)
        yield* Fiber.interrupt(fiber)
        yield* Testing.settleUntil(Effect.map(framesOf(mock, { type: "stop_subscription" }), (stops) => stops.length === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "too late" })
        yield* Testing.settleUntil(Effect.sync(() => logs.lines.some((line) => line.includes("dropping a push for subscription sub-"))))
        yield* mock.mute(false)
      }).pipe(Effect.provide(layer), Effect.provide(logs.layer), Effect.provideService(References.MinimumLogLevel, "Debug"))
    }).pipe(Effect.scoped))
})

describe("subscriptions a lost socket leaves behind", () => {
  it.effect("after reopening the same URL, the lost socket's subscriptions are stopped before re-subscribing", () =>
    Effect.gen(function*() {
      // Zendesk may keep them (unconfirmed); with one MAX_SUB slot, a kept one would refuse the new one.
      const { layer, mock } = yield* setup({ maxSubscriptions: 1, subscriptionsOutliveSockets: true })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.visitorSays({ channelId: "c1", text: "before" })
        for (const socket of [2, 3]) {
          yield* mock.dropConnections
          // The second reopening backs off: the first reopened socket did not last `stableAfter`.
          yield* Testing.advanceUntil(
            Effect.map(
              Effect.all([framesOf(mock, { operation: "subscribeMessages" }), mock.liveSubscriptions]),
              ([starts, live]) => starts.some((s) => s.socket === socket) && live === 1
            ),
            { step: "100 millis", limit: "1 minute" }
          )
          yield* mock.visitorSays({ channelId: "c1", text: `after ${socket - 1}` })
        }
        expect(contents(yield* Fiber.join(fiber))).toEqual(["before", "after 1", "after 2"])
        const [first, second, third] = yield* framesOf(mock, { operation: "subscribeMessages" })
        const stops = yield* framesOf(mock, { type: "stop_subscription" })
        expect(stops.map((s) => s.socket)).toEqual([2, 3])
        const stopped = stops.map((s) => String(s.frame.payload.subscription_id))
        expect(stopped.every((id) => /^sub-\d+$/.test(id)) && stopped[0] !== stopped[1]).toBe(true)
        expect(stops[0]!.receivedAt).toBeLessThanOrEqual(second!.receivedAt)
        expect([first, second, third].map((s) => s?.socket)).toEqual([1, 2, 3])
        expect((yield* mock.sessions).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("reconnect schedule", () => {
  it.effect("only a connection that lasted stableAfter starts the count of attempts again; cap does not", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        session: { reconnect: { base: "1 second", cap: "2 seconds", times: 2, jitter: false, stableAfter: "1 minute" } }
      })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        // A subscription lives through every reconnect, and learns when they are given up.
        const stream = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        const ends: Array<number> = []
        // Lets `duration` of virtual time pass with the session serving, then ends the session.
        const endAfter = (duration: "10 seconds" | "2 minutes") =>
          Effect.gen(function*() {
            yield* Testing.advanceUntil(Effect.succeed(false), { step: "1 second", limit: duration }).pipe(Effect.ignore)
            ends.push(yield* Clock.currentTimeMillis)
            yield* mock.endOfService()
          })
        const sessions = (n: number) =>
          Testing.advanceUntil(Effect.map(mock.sessions, (s) => s.length === n), { step: "100 millis", limit: "1 minute" })
        // Ended after 10 s (longer than cap, shorter than stableAfter), 2 minutes, 10 s.
        yield* endAfter("10 seconds")
        yield* sessions(2)
        yield* endAfter("10 seconds")
        yield* sessions(3)
        yield* endAfter("2 minutes")
        yield* sessions(4)
        yield* endAfter("10 seconds")
        yield* sessions(5)
        const starts = (yield* mock.httpRequests).slice(1).map((r) => r.receivedAt)
        // At once; after base, as the connection before was not stable; at once again after a
        // stable one; after base.
        expect(starts.map((start, i) => start - ends[i]!)).toEqual([0, 1000, 0, 1000])
        yield* endAfter("10 seconds")
        expect((yield* Fiber.join(stream)).message).toContain("gave up reconnecting after 2 failed attempts")
        const error = yield* Effect.flip(chat.updateAgentStatus({ status: "ONLINE" }))
        expect(error.message).toContain("gave up reconnecting after 2 failed attempts")
        expect((yield* mock.sessions).length).toBe(5)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("the supervisor", () => {
  it.effect("a defect in the supervisor ends the session: calls and Streams fail instead of waiting for ever", () =>
    Effect.gen(function*() {
      // A logger that throws on the end-of-service warning: a defect inside the supervisor.
      const exploding = Logger.make(({ message }) => {
        if (String(message).includes("end of service")) throw new Error("logger exploded")
      })
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const stream = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.endOfService()
        const call = yield* chat.updateAgentStatus({ status: "ONLINE" }).pipe(Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(Effect.all([isDone(call), isDone(stream)]), ([a, b]) => a && b), { limit: "1 minute" })
        const error = yield* Fiber.join(call)
        expect(error.message).toContain("supervisor stopped")
        expect(error.message).toContain("logger exploded")
        expect(error._tag === "GraphQLClientError" && error.isRetryable).toBe(false)
        expect((yield* Fiber.join(stream)).message).toContain("supervisor stopped")
      }).pipe(Effect.provide(layer), Effect.provide(Logger.layer([exploding])))
    }).pipe(Effect.scoped))

  it.effect("interrupted right after a new session's socket opened, the supervisor closes that socket and ends the session", () =>
    Effect.gen(function*() {
      // Interrupts the supervisor the moment it logs the new session: its socket is open, not served yet.
      const interrupting = Logger.make(({ fiber, message }) => {
        if (String(message).includes("started a new agent session")) fiber.interruptUnsafe()
      })
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        const stream = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        yield* mock.endOfService()
        yield* Testing.settleUntil(Effect.map(mock.sessions, (sessions) => sessions.length === 2))
        // The layer is still up, but no socket is left open.
        yield* Testing.settleUntil(Effect.map(mock.openSockets, (n) => n === 0))
        const error = yield* Effect.flip(chat.updateAgentStatus({ status: "ONLINE" }))
        expect(error.message).toContain("supervisor stopped")
        expect((yield* Fiber.join(stream)).message).toContain("supervisor stopped")
      }).pipe(Effect.provide(layer), Effect.provide(Logger.layer([interrupting])))
    }).pipe(Effect.scoped))
})
