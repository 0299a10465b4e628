/**
 * The v2 client keeps Kommo's 7 requests per second per account by default.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { RateLimiter } from "effect/persistence"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

describe("rate limit", () => {
  it.effect("sends 14 calls in two one-second windows of 7, with no 429", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ rateLimit: 7, clientRateLimit: {} })
      const fiber = yield* Effect.gen(function*() {
        const pipelines = yield* Kommo.Pipelines
        yield* Effect.all(Array.from({ length: 14 }, () => pipelines.listPipelines({})), { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 14), { step: "20 millis" })
      yield* Fiber.join(fiber)
      const times = (yield* mock.requests).map((r) => r.receivedAt)
      expect(times.length).toBe(14)
      expect([0, 1].map((second) => times.filter((t) => Math.floor(t / 1000) === second).length)).toEqual([7, 7])
    }).pipe(Effect.scoped))

  it.live("uses a limiter provided around the account, with the budget keyed by the account's host", () =>
    Effect.gen(function*() {
      const mock = yield* KommoMock.make({ rateLimit: false })
      const limiter = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
      const keys: Array<string> = []
      const recording: RateLimiter.RateLimiter = {
        ...limiter,
        consume: (options) => Effect.andThen(Effect.sync(() => void keys.push(options.key)), limiter.consume(options))
      }
      yield* Kommo.Pipelines.use((pipelines) => pipelines.listPipelines({})).pipe(
        Effect.provide(
          Kommo.layerAccount({ subdomain: "north", baseUrl: mock.url, auth: Kommo.Auth.bearer(KommoMock.staticToken) }).pipe(
            Layer.provide(Kommo.RateLimit.layer({ limiter: recording })),
            Layer.provide(NodeHttpClient.layerUndici)
          )
        )
      )
      expect(keys).toEqual(["kommo:north.kommo.com"])
    }).pipe(Effect.scoped))
})
