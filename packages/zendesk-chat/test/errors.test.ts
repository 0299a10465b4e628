/**
 * The vendor's error names as typed errors carrying the uuid, and their retry rules under TestClock:
 * RATE_LIMITED backs off exponentially, GRAPHQL_SUB_START_ERROR is retried at most 4 times within
 * 30 s, every other name fails at once; a protocol error is a TransportError; an invalid token fails
 * the session start unless the authenticator can renew it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, Redacted, Stream } from "effect"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import * as Mock from "@vendor-sdk/zendesk-chat/mock"
import { Auth as CoreAuth, TokenStore } from "@vendor-sdk/core"
import { Testing } from "@vendor-sdk/mock"
import { framesOf, setup } from "./support.ts"

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((t, i) => t - times[i]!)

describe("error names", () => {
  for (
    const [name, tag, status] of [
      ["UNAUTHORIZED", "Unauthorized", 401],
      ["FORBIDDEN", "Forbidden", 403],
      ["MAX_SUB", "MaxSubscriptions", 429],
      ["GRAPHQL_EXEC_ERROR", "ExecutionError", 400]
    ] as const
  ) {
    it.effect(`${name} fails at once with ${tag}, carrying the uuid and the status`, () =>
      Effect.gen(function*() {
        const { layer, mock } = yield* setup()
        yield* Effect.gen(function*() {
          const chat = yield* ZendeskChat.ZendeskChat
          yield* mock.failNext({ error: name, operation: "sendMessage", message: `no (${name})` })
          const error = yield* Effect.flip(chat.sendMessage({ channel_id: "c1", msg: "hi" }))
          expect(error._tag).toBe(tag)
          if (error._tag !== tag) return
          expect({ operation: error.operation, code: error.code, message: error.message, status: error.status }).toEqual({
            operation: "sendMessage",
            code: name,
            message: `no (${name})`,
            status
          })
          expect(error.uuid).toMatch(uuidPattern)
          expect((yield* framesOf(mock, { operation: "sendMessage" })).length).toBe(1)
        }).pipe(Effect.provide(layer))
      }).pipe(Effect.scoped))
  }

  it.effect("GRAPHQL_EXEC_ERROR from the server's own execution (an unknown department)", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        yield* mock.visitorSays({ channelId: "c1", text: "transfer me" })
        const chat = yield* ZendeskChat.ZendeskChat
        const error = yield* Effect.flip(chat.transferToDepartment({ channel_id: "c1", department_id: "dept-unknown" }))
        expect(error._tag).toBe("ExecutionError")
        expect(error.message).toBe("Department dept-unknown not found")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("MAX_SUB when the session holds too many subscriptions: the Stream fails, nothing is retried", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ maxSubscriptions: 1 })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        const error = yield* Effect.flip(Stream.runDrain(chat.subscribeMessages()))
        expect(error._tag).toBe("MaxSubscriptions")
        expect((yield* framesOf(mock, { operation: "subscribeMessages" })).length).toBe(2)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("a protocolErrorPayload { body } is a TransportError with the body and status, not retried", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ protocolError: "Conversations API GraphQL server unavailable", operation: "listAgents", status: 503 })
        const error = yield* Effect.flip(chat.listAgents())
        expect(error._tag).toBe("GraphQLClientError")
        if (error._tag !== "GraphQLClientError") return
        expect(error.reason._tag).toBe("TransportError")
        expect(error.status).toBe(503)
        expect(error.message).toContain("Conversations API GraphQL server unavailable")
        expect(error.isRetryable).toBe(false)
        expect((yield* framesOf(mock, { operation: "listAgents" })).length).toBe(1)
        // The session is unaffected.
        expect((yield* chat.listAgents()).agents?.edges?.length).toBe(2)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("retry rules", () => {
  it.effect("RATE_LIMITED is retried with exponential backoff until it succeeds", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: { base: "1 second", times: 5 } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ error: "RATE_LIMITED", operation: "sendMessage", times: 3 })
        yield* mock.visitorSays({ channelId: "c1", text: "hi" })
        const fiber = yield* chat.sendMessage({ channel_id: "c1", msg: "hello" }).pipe(Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(framesOf(mock, { operation: "sendMessage" }), (f) => f.length === 4), { step: "100 millis" })
        expect(yield* Fiber.join(fiber)).toEqual({ sendMessage: { success: true } })
        const times = (yield* framesOf(mock, { operation: "sendMessage" })).map((f) => f.receivedAt)
        expect(gaps(times)).toEqual([1000, 2000, 4000])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("RATE_LIMITED that outlasts the policy fails with RateLimited and its uuid", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: { base: "500 millis", cap: "1 second", times: 3 } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ error: "RATE_LIMITED", operation: "listDepartments", times: 10 })
        const fiber = yield* chat.listDepartments().pipe(Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(framesOf(mock, { operation: "listDepartments" }), (f) => f.length === 4), { step: "100 millis" })
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe("RateLimited")
        if (error._tag === "RateLimited") expect(error.uuid).toMatch(uuidPattern)
        const times = (yield* framesOf(mock, { operation: "listDepartments" })).map((f) => f.receivedAt)
        // 500 ms doubling, capped at 1 s.
        expect(gaps(times)).toEqual([500, 1000, 1000])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("GRAPHQL_SUB_START_ERROR starts the subscription again, and the Stream then delivers", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ error: "GRAPHQL_SUB_START_ERROR", operation: "subscribeMessages", times: 2 })
        const fiber = yield* chat.subscribeMessages().pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1), { step: "100 millis" })
        yield* mock.visitorSays({ channelId: "c1", text: "finally" })
        expect((yield* Fiber.join(fiber)).map((r) => r.message?.node?.content)).toEqual(["finally"])
        const times = (yield* framesOf(mock, { operation: "subscribeMessages" })).map((f) => f.receivedAt)
        expect(gaps(times)).toEqual([1000, 2000])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("GRAPHQL_SUB_START_ERROR is retried 4 times within 30 s, then fails with SubscriptionStartError", () =>
    Effect.gen(function*() {
      // A generous RATE_LIMITED policy does not stretch the subscription-start limit.
      const { layer, mock } = yield* setup({ retry: { base: "1 second", times: 50 } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.failNext({ error: "GRAPHQL_SUB_START_ERROR", operation: "subscribeMessages", times: 100 })
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.map(Fiber.await(fiber).pipe(Effect.timeoutOption(0)), Option.isSome), { step: "100 millis" })
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe("SubscriptionStartError")
        const times = (yield* framesOf(mock, { operation: "subscribeMessages" })).map((f) => f.receivedAt)
        expect(gaps(times)).toEqual([1000, 2000, 4000, 8000])
        expect(times[times.length - 1]! - times[0]!).toBeLessThanOrEqual(30_000)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("RATE_LIMITED and GRAPHQL_SUB_START_ERROR share one schedule: a retry for one does not restart the other's budget", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: { base: "1 second", cap: "2 seconds", times: 3 } })
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        // Start errors and rate limits take turns, more than either budget allows.
        for (let round = 0; round < 4; round++) {
          yield* mock.failNext({ error: "GRAPHQL_SUB_START_ERROR", operation: "subscribeMessages" })
          yield* mock.failNext({ error: "RATE_LIMITED", operation: "subscribeMessages", times: 3 })
        }
        const fiber = yield* chat.subscribeMessages().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(Effect.sync(() => fiber.pollUnsafe() !== undefined), { step: "100 millis" })
        // SUB_START, 3 × RATE_LIMITED (the whole RATE_LIMITED budget), SUB_START, then one
        // RATE_LIMITED too many; the delay keeps growing across names (1 s, then capped at 2 s).
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe("RateLimited")
        const times = (yield* framesOf(mock, { operation: "subscribeMessages" })).map((f) => f.receivedAt)
        expect(gaps(times)).toEqual([1000, 2000, 2000, 2000, 2000])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("session start", () => {
  it.effect("an invalid access token fails the layer with Unauthorized", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ auth: ZendeskChat.Auth.accessToken("wrong-token") })
      const exit = yield* Effect.exit(Effect.provide(Effect.void, layer))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(Effect.provide(Effect.void, layer))
      expect(error._tag).toBe("Unauthorized")
      if (error._tag === "Unauthorized") {
        expect(error.operation).toBe("startAgentSession")
        expect(error.uuid).toMatch(uuidPattern)
      }
    }).pipe(Effect.scoped))

  it.effect("after UNAUTHORIZED the authenticator renews once, and the session starts with the new token", () =>
    Effect.gen(function*() {
      let token = "expired-token"
      let renewals = 0
      const renewing = CoreAuth.make({
        authenticate: (request) => CoreAuth.bearer(token).authenticate(request),
        renew: () => Effect.sync(() => (renewals++, token = Mock.demoToken, true))
      })
      const { layer, mock } = yield* setup({ auth: ZendeskChat.Auth.layer(renewing) })
      yield* Effect.provide(ZendeskChat.ZendeskChat.use((chat) => chat.updateAgentStatus({ status: "ONLINE" })), layer)
      expect(renewals).toBe(1)
      expect((yield* mock.httpRequests).length).toBe(2)
      expect((yield* mock.sessions).map((s) => s.token)).toEqual([Mock.demoToken])
    }).pipe(Effect.scoped))

  it.effect("Auth.tokenStore: after UNAUTHORIZED, a token another process stored since is used; the same token is not retried", () =>
    Effect.gen(function*() {
      // The store another process writes to: it holds an expired token until the refresh lands.
      const stored = ["expired-token", Mock.demoToken]
      const store = TokenStore.TokenStore.of({
        get: () => Effect.sync(() => Option.some({ accessToken: Redacted.make(stored.length > 1 ? stored.shift()! : stored[0]!) })),
        set: () => Effect.void,
        remove: () => Effect.void
      })
      const auth = ZendeskChat.Auth.tokenStore().pipe(Layer.provide(Layer.succeed(TokenStore.TokenStore, store)))
      const { layer, mock } = yield* setup({ auth })
      yield* Effect.provide(ZendeskChat.ZendeskChat.use((chat) => chat.updateAgentStatus({ status: "ONLINE" })), layer)
      expect(yield* mock.agentStatus).toBe("ONLINE")
      // Now the store's token itself is rejected: renewing finds nothing newer and the start fails.
      yield* mock.failNext({ error: "UNAUTHORIZED", operation: "startAgentSession" })
      const error = yield* Effect.flip(Effect.provide(Effect.void, layer))
      expect(error._tag).toBe("Unauthorized")
      expect((yield* mock.httpRequests).length).toBe(3)
    }).pipe(Effect.scoped))

  it.effect("Auth.tokenStore reads the access token from core's TokenStore", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        auth: ZendeskChat.Auth.tokenStore().pipe(
          Layer.provide(Layer.effect(TokenStore.TokenStore, Effect.gen(function*() {
            const store = TokenStore.makeMemory()
            yield* store.set("zendesk-chat:default", { accessToken: Redacted.make(Mock.demoToken) })
            return store
          }).pipe(Effect.orDie)))
        )
      })
      yield* Effect.provide(ZendeskChat.ZendeskChat.use((chat) => chat.updateAgentStatus({ status: "ONLINE" })), layer)
      expect(yield* mock.agentStatus).toBe("ONLINE")
    }).pipe(Effect.scoped))
})
