/**
 * The retry policy against real answers: Retry-After and Help Scout's own header honoured under
 * TestClock, idempotent reads retried on 5xx, writes never repeated after a 500, but repeated when
 * the connection was refused (the request provably never arrived).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import { Testing } from "@vendor-sdk/mock"
import * as Net from "node:net"
import { newConversation, setup } from "./support.ts"

const arrivals = (mock: { readonly requests: Effect.Effect<ReadonlyArray<{ readonly receivedAt: number }>> }) =>
  Effect.map(mock.requests, (requests) => requests.map((r) => r.receivedAt))

describe("retry", () => {
  it.effect("waits as long as X-RateLimit-Retry-After says before retrying a 429", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* mock.inject({ operationId: "getMailbox", times: 1, fault: { _tag: "Status", status: 429, headers: { "X-RateLimit-Retry-After": "7" } } })
      const fiber = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 2), { step: "100 millis" })
      const mailbox = yield* Fiber.join(fiber)
      expect(mailbox.name).toBe("Support")
      const [first, second] = yield* arrivals(mock)
      // Core's own backoff would have waited 500 ms; the vendor asked for 7 s.
      expect(second! - first!).toBeGreaterThanOrEqual(7000)
      expect(second! - first!).toBeLessThan(8000)
    }).pipe(Effect.scoped))

  it.effect("honours the standard Retry-After on a 503, and backs off exponentially otherwise", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* mock.inject({ operationId: "getMailbox", times: 1, fault: { _tag: "Status", status: 503, retryAfter: 3 } })
      yield* mock.inject({ operationId: "getMailbox", times: 2, fault: { _tag: "Status", status: 502 } })
      const fiber = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 4), { step: "50 millis" })
      yield* Fiber.join(fiber)
      const times = yield* arrivals(mock)
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      expect(gaps[0]).toBeGreaterThanOrEqual(3000)
      // attempt 2 and 3 back off 1 s then 2 s (jitter off in these tests), within the 50 ms steps
      expect(gaps[1]).toBeGreaterThanOrEqual(1000)
      expect(gaps[1]).toBeLessThan(1300)
      expect(gaps[2]).toBeGreaterThanOrEqual(2000)
      expect(gaps[2]).toBeLessThan(2300)
    }).pipe(Effect.scoped))

  it.effect("gives up after the configured number of retries with the last typed error", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: HelpScout.Retry.layer({ times: 2, jitter: false, base: "100 millis" }) })
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "Status", status: 500 } })
      const fiber = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(
        Effect.provide(layer),
        Effect.flip,
        Effect.forkChild
      )
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 3))
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("ServerError")
      expect((yield* mock.requests).length).toBe(3)
    }).pipe(Effect.scoped))

  it.live("never repeats a POST after a 500", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* mock.inject({ operationId: "createConversation", times: 1, fault: { _tag: "Status", status: 500 } })
      const error = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("once") })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("ServerError")
      const posts = (yield* mock.requests).filter((r) => r.method === "POST")
      expect(posts.length).toBe(1)
    }).pipe(Effect.scoped))

  it.effect("retries a POST on 429: the vendor refused it before doing anything", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* mock.inject({ operationId: "createConversation", times: 1, fault: { _tag: "Status", status: 429, retryAfter: 1 } })
      const fiber = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("twice") })).pipe(
        Effect.provide(layer),
        Effect.forkChild
      )
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 2))
      expect(yield* Fiber.join(fiber)).toEqual({ id: 1000 })
    }).pipe(Effect.scoped))

  it.effect("retries a POST when the connection was refused, since it never reached the server", () =>
    Effect.gen(function*() {
      // A port nothing listens on: taken, then released.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = Net.createServer().listen(0, "127.0.0.1", () => {
            const address = server.address() as Net.AddressInfo
            server.close(() => resolve(address.port))
          })
        })
      )
      // Counts attempts where nothing can be recorded server-side: each attempt authenticates once.
      let attempts = 0
      const counting = HelpScout.Auth.layer({
        authenticate: (request) => Effect.sync(() => (attempts++, request)),
        renew: () => Effect.succeed(false)
      })
      const layer = HelpScout.layer.pipe(
        Layer.provide(counting),
        Layer.provide(HelpScout.Retry.layer({ times: 2, jitter: false })),
        Layer.provide(HelpScout.RateLimit.disabled),
        Layer.provide(HelpScout.Endpoint.layer({ baseUrl: `http://127.0.0.1:${port}` })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const fiber = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("refused") })).pipe(
        Effect.provide(layer),
        Effect.flip,
        Effect.forkChild
      )
      yield* Testing.advanceUntil(Effect.sync(() => attempts >= 3))
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TransportError")
      if (error._tag === "TransportError") expect(error.reachedServer).toBe(false)
      expect(attempts).toBe(3)
    }))
})
