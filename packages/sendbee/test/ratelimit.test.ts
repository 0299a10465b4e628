/**
 * Sendbee's budget of 60 requests a minute: the mock answers the 61st with 429 and Retry-After, the
 * core retry policy waits as long as asked (virtual time) and succeeds, and the client-side limit,
 * 60/min by default, keeps a burst under the budget so the vendor never has to refuse it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Testing } from "@vendor-sdk/mock"
import { Sendbee } from "@vendor-sdk/sendbee"
import { setup, sleepLog } from "./support.ts"

const status = Sendbee.RateLimitService.use((r) => r.withResponse.rateLimitRequestTest())

const burst = (n: number) => Effect.all(Array.from({ length: n }, () => status), { concurrency: "unbounded" })

describe("rate limit", () => {
  it.effect("the mock counts 60 requests a minute and refuses the 61st with 429, Retry-After and the error envelope", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: Sendbee.Retry.disabled })
      const { error, responses } = yield* Effect.gen(function*() {
        const responses = yield* Effect.forEach(Array.from({ length: 60 }), () => status)
        const error = yield* Effect.flip(status)
        return { error, responses }
      }).pipe(Effect.provide(layer))
      expect(responses.map((r) => r.headers["x-ratelimit-remaining"]).slice(0, 3)).toEqual(["59", "58", "57"])
      expect(responses[59]?.headers["x-ratelimit-remaining"]).toBe("0")
      expect(responses[0]?.headers["x-ratelimit-limit"]).toBe("60")
      expect(error._tag).toBe("RateLimited")
      if (error._tag !== "RateLimited") return
      expect(error.status).toBe(429)
      expect(error.code).toBe("rate_limit_exceeded")
      expect(error.message).toBe("API rate limit exceeded")
      expect(error.retryAfter && Duration.toSeconds(error.retryAfter)).toBe(60)
      expect((yield* mock.requests).length).toBe(61)
    }).pipe(Effect.scoped))

  it.effect("the core retry policy waits for Retry-After on a 429, then succeeds", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: Sendbee.Retry.layer({ jitter: false, attemptTimeout: "5 minutes" }) })
      // The budget is spent at one instant of virtual time, so the next request is refused.
      yield* Effect.forEach(Array.from({ length: 60 }), () => status, { discard: true }).pipe(Effect.provide(layer))
      const clock = yield* sleepLog
      const fiber = yield* status.pipe(Effect.provide(layer), clock.provide, Effect.forkChild)
      // Refused with Retry-After: 60, the client sleeps 60 s, not core's 500 ms backoff.
      yield* Testing.settleUntil(clock.started("60 seconds"))
      expect((yield* mock.requests).length).toBe(61)
      yield* TestClock.adjust("60 seconds")
      const last = yield* Fiber.join(fiber)
      expect(last.status).toBe(200)
      const times = (yield* mock.requests).map((r) => r.receivedAt)
      expect(times.length).toBe(62)
      expect(times[60]! - times[0]!).toBe(0)
      expect(times[61]! - times[60]!).toBe(60_000)
    }).pipe(Effect.scoped))

  it.effect("with Sendbee's default client-side limit, a burst of 61 waits for the next window instead of being refused", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        // Long attempt timeouts: the clock jumps 60 s while the first responses may still be read.
        retry: Sendbee.Retry.layer({ times: 0, attemptTimeout: "5 minutes" }),
        clientRateLimit: Sendbee.RateLimit.layer()
      })
      const clock = yield* sleepLog
      const fiber = yield* burst(61).pipe(Effect.provide(layer), clock.provide, Effect.forkChild)
      yield* Testing.settleUntil(Effect.map(mock.requests, (r) => r.length >= 60))
      // The 61st waits in the limiter until the window ends.
      yield* Testing.settleUntil(clock.started("60 seconds"))
      expect((yield* mock.requests).length).toBe(60)
      yield* TestClock.adjust("60 seconds")
      yield* Testing.settleUntil(Effect.map(mock.requests, (r) => r.length >= 61))
      const responses = yield* Fiber.join(fiber)
      expect(responses.every((r) => r.status === 200)).toBe(true)
      const times = (yield* mock.requests).map((r) => r.receivedAt).sort((a, b) => a - b)
      expect(times[59]! - times[0]!).toBe(0)
      expect(times[60]! - times[0]!).toBe(60_000)
    }).pipe(Effect.scoped))

  it.effect("the test endpoint answers the rate-limit error itself, typed as RateLimited", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ retry: Sendbee.Retry.disabled })
      const error = yield* Sendbee.RateLimitService.use((r) => r.rateLimitErrorTest()).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("RateLimited")
      expect(error.message).toBe("API rate limit exceeded (test)")
    }).pipe(Effect.scoped))

  it.effect("uses Sendbee's documented budget without any layer", () =>
    Effect.gen(function*() {
      const policy = yield* Sendbee.RateLimit
      expect(policy?.limit).toBe(60)
      expect(policy?.window).toBe("1 minute")
      expect(policy?.algorithm).toBe("fixed-window")
    }))
})
