/**
 * What Redis is for: several processes of one application sharing OAuth tokens and one vendor
 * budget. Each "process" here has its own Redis connection, client and layers.
 */
import { NodeHttpClient, NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Redacted } from "effect"
import { TokenStore } from "@vendor-sdk/core"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"
import { type Mock, RedisServer, Testing } from "@vendor-sdk/mock"

const tokenRequests = (mock: Mock.Mock) =>
  Effect.map(mock.requests, (requests) => requests.filter((r) => r.path === "/v2/oauth2/token").length)

describe("Redis", () => {
  it.live("a token fetched by one process is used by another, with no second token request", () =>
    Effect.gen(function*() {
      const url = yield* RedisServer.redisServer
      const mock = yield* HelpScoutMock.make()
      const process = () =>
        HelpScout.layer.pipe(
          Layer.provide(HelpScout.Auth.clientCredentials({ clientId: HelpScoutMock.demoClient.id, clientSecret: HelpScoutMock.demoClient.secret })),
          Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
          Layer.provide(TokenStore.TokenStore.layerRedis().pipe(Layer.provide(NodeRedis.layer({ url })))),
          Layer.provide(NodeHttpClient.layerUndici),
          Layer.fresh
        )
      const list = HelpScout.Mailboxes.use((m) => m.listMailboxes())
      yield* list.pipe(Effect.provide(process()))
      yield* list.pipe(Effect.provide(process()))
      expect(yield* tokenRequests(mock)).toBe(1)
      const stored = yield* TokenStore.TokenStore.use((store) => store.get("helpscout:default")).pipe(
        Effect.provide(TokenStore.TokenStore.layerRedis().pipe(Layer.provide(NodeRedis.layer({ url }))))
      )
      expect(Option.isSome(stored) && Redacted.value(stored.value.accessToken)).toMatch(/^hs-access-/)
    }).pipe(Effect.scoped))

  it.effect("two processes on a shared Redis budget stay under the vendor's limit together", () =>
    Effect.gen(function*() {
      const url = yield* RedisServer.redisServer
      // The vendor allows 6 reads a minute; each process alone would allow itself 6.
      const mock = yield* HelpScoutMock.make({ staticTokens: ["t"], rateLimit: 6 })
      const prefix = `test-${Math.random().toString(36).slice(2)}:`
      const process = () =>
        HelpScout.layer.pipe(
          Layer.provide(HelpScout.Auth.bearer("t")),
          Layer.provide(HelpScout.Retry.disabled),
          Layer.provide(HelpScout.RateLimit.layerRedis({ limit: 6, window: "1 minute", prefix })),
          Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
          Layer.provide(NodeRedis.layer({ url })),
          Layer.provide(NodeHttpClient.layerUndici),
          Layer.fresh
        )
      const reads = (n: number) => HelpScout.Mailboxes.use((m) => Effect.all(Array.from({ length: n }, () => m.getMailbox({ mailboxId: 1 }))))
      const both = yield* Effect.all([reads(4).pipe(Effect.provide(process())), reads(4).pipe(Effect.provide(process()))], {
        concurrency: 2
      }).pipe(Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 8), { step: "1 second" })
      const results = yield* Fiber.join(both)
      expect(results.flat().length).toBe(8)
      const times = (yield* mock.requests).map((r) => r.receivedAt).sort((x, y) => x - y)
      // Six in the first window, the last two waited for the next: no 429 from the vendor.
      expect(times[5]! - times[0]!).toBeLessThan(60_000)
      expect(times[6]! - times[0]!).toBeGreaterThanOrEqual(59_000)
    }).pipe(Effect.scoped))
})
