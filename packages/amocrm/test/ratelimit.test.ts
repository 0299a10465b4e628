/**
 * The default client-side budget: 7 requests per second per account, by the Clock, so the mock's
 * 7-per-second limit never answers 429.
 */
import { NodeHttpClient, NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Stream } from "effect"
import { Redis, RateLimiter } from "effect/persistence"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Mock, RedisServer, Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

const getAccount = AmoCRM.Account.use((account) => account.getAccount({}))

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

  it.effect("keys each account's budget by its host, under a limiter shared around the accounts", () =>
    Effect.gen(function*() {
      const acme = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "acme", staticTokens: ["acme-token"] })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta", staticTokens: ["beta-token"] })
      const limiter = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
      // One limiter and policy for the whole program (2 an hour); each account still has its own budget.
      const accounts = AmoCRM.Accounts.layer({
        acme: AmoCRM.layerAccount({ subdomain: "acme", baseUrl: acme.url, auth: AmoCRM.OAuth.longLived("acme-token") }),
        beta: AmoCRM.layerAccount({ subdomain: "beta", baseUrl: beta.url, auth: AmoCRM.OAuth.longLived("beta-token") })
      }).pipe(
        Layer.provide(AmoCRM.RateLimit.layer({ limiter, limit: 2, window: "1 hour" })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const run = AmoCRM.Accounts.run<AmoCRM.Services>
      const fiber = yield* Effect.all([
        run("acme")(Effect.all([getAccount, getAccount, getAccount], { concurrency: "unbounded" })),
        run("beta")(Effect.all([getAccount, getAccount], { concurrency: "unbounded" }))
      ], { concurrency: "unbounded" }).pipe(Effect.provide(accounts), Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(acme.requests, (r) => r.length >= 3), { step: "1 minute", limit: "2 hours" })
      yield* Fiber.join(fiber)
      // beta's calls did not wait for acme's budget, and acme's third waited for its own.
      expect((yield* beta.requests).map((r) => r.receivedAt)).toEqual([0, 0])
      const times = (yield* acme.requests).map((r) => r.receivedAt)
      expect(times.slice(0, 2)).toEqual([0, 0])
      expect(times[2]).toBeGreaterThanOrEqual(30 * 60_000)
    }).pipe(Effect.scoped))

  it.live("keeps each account's budget in Redis, in the README's cross-process composition, with its entity locks", () =>
    Effect.gen(function*() {
      const url = yield* RedisServer.redisServer
      const redis = Context.get(yield* Layer.build(NodeRedis.layer({ url })), Redis.Redis)
      const keys = (pattern: string) => Effect.orDie(redis.send<Array<string>>("KEYS", pattern))
      // The vendor checks, while it applies an update, which entity locks Redis holds.
      const base = AmoCRMMock.definition({ rateLimit: false, staticTokens: ["example-token"] })
      const heldDuringUpdate: Array<string> = []
      const example = yield* Mock.make({
        ...base,
        handlers: {
          ...base.handlers,
          updateLead: (context) =>
            Effect.flatMap(keys("vendor-sdk:amocrm:lock:*"), (held) => {
              heldDuringUpdate.push(...held)
              return base.handlers!.updateLead!(context)
            })
        }
      })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta", staticTokens: ["beta-token"] })
      // As the README composes it: the account layer takes the Redis budget, the lock goes beside it.
      const live = (subdomain: string, baseUrl: string) =>
        Layer.mergeAll(
          AmoCRM.layerAccount({ subdomain, baseUrl, auth: AmoCRM.OAuth.longLived(`${subdomain}-token`) }).pipe(
            Layer.provide(AmoCRM.RateLimit.layerRedis({ limit: 1000, window: "1 hour" }))
          ),
          AmoCRM.EntityLock.layerRedis()
        ).pipe(Layer.provide(NodeRedis.layer({ url })), Layer.provide(NodeHttpClient.layerUndici))
      const id = yield* Effect.gen(function*() {
        const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }])
        yield* AmoCRM.Updates.updateLead({ id: lead!.id!, body: { price: 1 } })
        yield* getAccount
        return lead!.id!
      }).pipe(Effect.provide(live("example", example.url)))
      // A second process of the same account spends the same budget.
      yield* getAccount.pipe(Effect.provide(live("example", example.url)))
      yield* Effect.all([getAccount, getAccount]).pipe(Effect.provide(live("beta", beta.url)))
      const budgets = yield* keys("vendor-sdk:ratelimit:*")
      const spent = (host: string) =>
        Effect.flatMap(
          Effect.fromNullishOr(budgets.find((key) => key.endsWith(`amocrm:${host}`))),
          (key) => Effect.orDie(redis.send<string>("GET", key))
        )
      expect(Number(yield* spent("example.amocrm.ru"))).toBe(4)
      expect(Number(yield* spent("beta.amocrm.ru"))).toBe(2)
      expect(budgets.some((key) => key.endsWith(":default"))).toBe(false)
      expect(heldDuringUpdate).toEqual([`vendor-sdk:amocrm:lock:example.amocrm.ru:leads:${id}`])
      expect(yield* keys("vendor-sdk:amocrm:lock:*")).toEqual([])
    }).pipe(Effect.scoped))

  it.live("takes a shared limiter as an option", () =>
    Effect.gen(function*() {
      const { mock } = yield* setup()
      const limiter = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
      const consumed: Array<string> = []
      const recording: RateLimiter.RateLimiter = {
        ...limiter,
        consume: (options) => Effect.andThen(Effect.sync(() => void consumed.push(options.key)), limiter.consume(options))
      }
      yield* Stream.runCollect(AmoCRM.Leads.use((leads) => Effect.succeed(leads.listLeadsStream({}))).pipe(Stream.unwrap)).pipe(
        Effect.andThen(getAccount),
        Effect.provide(
          AmoCRM.layerAccount({
            subdomain: "example",
            baseUrl: mock.url,
            auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken),
            rateLimit: { limiter: recording }
          }).pipe(Layer.provide(NodeHttpClient.layerUndici))
        )
      )
      expect(consumed).toEqual(["amocrm:example.amocrm.ru", "amocrm:example.amocrm.ru"])
    }).pipe(Effect.scoped))
})
