/**
 * The client-side rate limit keeps calls under the vendor's budget, per account, by the Clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { RateLimiter } from "effect/persistence"
import { Auth } from "@vendor-sdk/core"
import { HelpScout } from "@vendor-sdk/helpscout"
import { Testing } from "@vendor-sdk/mock"
import { setup, token } from "./support.ts"

describe("rate limit", () => {
  it.effect("sends at most 4 tokens a second, writes costing two, with the fixed-window default", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ clientRateLimit: HelpScout.RateLimit.layer({ limit: 4, window: "1 second" }) })
      const fiber = yield* Effect.gen(function*() {
        const tags = yield* HelpScout.Mailboxes
        yield* Effect.all(Array.from({ length: 12 }, () => tags.getMailbox({ mailboxId: 1 })), { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 12), { step: "20 millis" })
      yield* Fiber.join(fiber)
      const times = (yield* mock.requests).map((r) => r.receivedAt)
      const perWindow = new Map<number, number>()
      for (const t of times) perWindow.set(Math.floor((t - times[0]!) / 1000), (perWindow.get(Math.floor((t - times[0]!) / 1000)) ?? 0) + 1)
      expect([...perWindow.values()].every((n) => n <= 4)).toBe(true)
      // 12 reads at 4 a second need 3 windows
      expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(2000)
    }).pipe(Effect.scoped))

  it.effect("counts writes double, as Help Scout does", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ clientRateLimit: HelpScout.RateLimit.layer({ limit: 4, window: "1 second" }) })
      const fiber = yield* Effect.gen(function*() {
        const customers = yield* HelpScout.Customers
        yield* Effect.all(Array.from({ length: 4 }, (_, i) => customers.createCustomer({ body: { firstName: `c${i}` } })), {
          concurrency: "unbounded"
        })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 4), { step: "20 millis" })
      yield* Fiber.join(fiber)
      const times = (yield* mock.requests).map((r) => r.receivedAt)
      // two writes fill a window of 4 tokens
      expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1000)
    }).pipe(Effect.scoped))

  it.effect("does not count the wait for budget against the attempt timeout", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        retry: HelpScout.Retry.layer({ times: 0, attemptTimeout: "2 seconds" }),
        clientRateLimit: HelpScout.RateLimit.layer({ limit: 1, window: "10 seconds" })
      })
      const fiber = yield* HelpScout.Mailboxes.use((m) =>
        Effect.andThen(m.getMailbox({ mailboxId: 1 }), m.getMailbox({ mailboxId: 2 }))
      ).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 2), { step: "200 millis" })
      // The second call waited 10 s for budget, five times its attempt timeout, and still succeeded.
      expect((yield* Fiber.join(fiber)).name).toBe("Billing")
      const [first, second] = (yield* mock.requests).map((r) => r.receivedAt)
      expect(second! - first!).toBeGreaterThanOrEqual(10_000)
    }).pipe(Effect.scoped))

  it.effect("adds credentials after the wait for budget, so a time-stamped signature is fresh when sent", () =>
    Effect.gen(function*() {
      const stamped = Auth.dynamicHeaders(
        Effect.map(Clock.currentTimeMillis, (now) => ({ authorization: `Bearer ${token}`, "x-signed-at": String(now) })),
        () => new Auth.CredentialsUnavailable({ message: "unreachable" })
      )
      const { layer, mock } = yield* setup({
        auth: HelpScout.Auth.layer(stamped),
        clientRateLimit: HelpScout.RateLimit.layer({ limit: 1, window: "10 seconds" })
      })
      const fiber = yield* HelpScout.Mailboxes.use((m) =>
        Effect.all([m.getMailbox({ mailboxId: 1 }), m.getMailbox({ mailboxId: 2 })], { concurrency: "unbounded" })
      ).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 2), { step: "200 millis" })
      yield* Fiber.join(fiber)
      const requests = yield* mock.requests
      for (const request of requests) {
        // signed at most one clock step before it arrived, never 10 s earlier
        expect(request.receivedAt - Number(request.headers["x-signed-at"])).toBeLessThan(200)
      }
      expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(10_000)
    }).pipe(Effect.scoped))

  it.effect("fails with a TransportError that never reached the server when the budget's store is down", () =>
    Effect.gen(function*() {
      const working = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
      const down: RateLimiter.RateLimiter = {
        ...working,
        consume: () =>
          Effect.fail(new RateLimiter.RateLimiterError({ reason: new RateLimiter.RateLimitStoreError({ message: "store down" }) }))
      }
      const { layer, mock } = yield* setup({
        retry: HelpScout.Retry.layer({ times: 0 }),
        clientRateLimit: HelpScout.RateLimit.layer({ limiter: down })
      })
      const error = yield* HelpScout.Customers.use((c) => c.createCustomer({ body: { firstName: "Ada" } })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag === "TransportError" && error.reachedServer).toBe(false)
      expect(yield* mock.requests).toEqual([])
    }).pipe(Effect.scoped))

  it.effect("uses Help Scout's documented default without any layer", () =>
    Effect.gen(function*() {
      const policy = yield* HelpScout.RateLimit
      expect(policy?.limit).toBe(400)
      expect(policy?.window).toBe("1 minute")
    }))
})
