/**
 * The default client-side budget: 7 requests per second per account, by the Clock, so the mock's
 * 7-per-second limit never answers 429.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

describe("rate limit", () => {
  it.effect("keeps 21 concurrent calls within 7 a second, with no 429 from the vendor", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ rateLimit: 7, clientRateLimit: {} })
      const fiber = yield* Effect.gen(function*() {
        const account = yield* AmoCRM.Account
        yield* Effect.all(Array.from({ length: 21 }, () => account.getAccount({})), { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 21), { step: "20 millis" })
      yield* Fiber.join(fiber)
      const times = (yield* mock.requests).map((r) => r.receivedAt)
      // 21 requests and no more: a 429 would have been retried, adding requests.
      expect(times.length).toBe(21)
      const perSecond = new Map<number, number>()
      for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1)
      expect([...perSecond.values()]).toEqual([7, 7, 7])
    }).pipe(Effect.scoped))

  it.effect("without the client-side limit, the vendor answers 429 past 7 a second", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ rateLimit: 7, clientRateLimit: false, retry: { times: 0 } })
      const fiber = yield* Effect.gen(function*() {
        const account = yield* AmoCRM.Account
        return yield* Effect.all(Array.from({ length: 8 }, () => Effect.result(account.getAccount({}))), { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 8), { step: "20 millis" })
      const results = yield* Fiber.join(fiber)
      const failures = results.flatMap((r) => r._tag === "Failure" ? [r.failure._tag] : [])
      expect(failures).toEqual(["RateLimited"])
    }).pipe(Effect.scoped))

  it.effect("uses amoCRM's documented default without any layer", () =>
    Effect.gen(function*() {
      const policy = yield* AmoCRM.RateLimit
      expect(policy?.limit).toBe(7)
      expect(policy?.window).toBe("1 second")
    }))
})
