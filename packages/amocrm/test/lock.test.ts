/**
 * The entity update lock: two concurrent updates of one entity are serialised (in process, and
 * across "processes" sharing a Redis server), where without it amoCRM refuses the second with
 * "Last modified date is older than in database".
 */
import { NodeHttpClient, NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer } from "effect"
import { Redis } from "effect/persistence"
import { TestClock } from "effect/testing"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { RedisServer, Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

/** A Redis connection for the test's scope, and every command it was asked to send. */
const connect = (url: string) =>
  Effect.gen(function*() {
    const redis = Context.get(yield* Layer.build(NodeRedis.layer({ url })), Redis.Redis)
    const commands: Array<string> = []
    const recording: Redis.Redis["Service"] = {
      ...redis,
      send: <A>(command: string, ...args: ReadonlyArray<string>) =>
        Effect.andThen(Effect.sync(() => void commands.push(command)), redis.send<A>(command, ...args))
    }
    const pttl = (key: string) => Effect.map(Effect.orDie(redis.send<number>("PTTL", key)), Number)
    return { redis, recording, commands, pttl }
  })

/** Whether a fiber has ended, without waiting for it. */
const ended = (fiber: Fiber.Fiber<unknown, unknown>) => Effect.sync(() => fiber.pollUnsafe() !== undefined)

const twoUpdates = (update: (name: string) => Effect.Effect<unknown, unknown, any>) =>
  Effect.all([Effect.result(update("first")), Effect.result(update("second"))], { concurrency: "unbounded" })

describe("entity update lock", () => {
  it.live("without the lock, the vendor refuses the second of two overlapping updates", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ updateLatency: "100 millis" })
      const results = yield* Effect.gen(function*() {
        const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }])
        const leads = yield* AmoCRM.Leads
        return yield* twoUpdates((name) => leads.updateLead({ id: lead!.id!, body: { name } }))
      }).pipe(Effect.provide(layer))
      const failures = results.flatMap((r) => r._tag === "Failure" ? [r.failure as { _tag: string; message: string }] : [])
      expect(failures.map((f) => [f._tag, f.message])).toEqual([["ValidationError", "Last modified date is older than in database"]])
    }).pipe(Effect.scoped))

  it.live("serialises two concurrent updates of one lead in process, by default", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ updateLatency: "100 millis" })
      const results = yield* Effect.gen(function*() {
        const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }])
        return yield* twoUpdates((name) => AmoCRM.Updates.updateLead({ id: lead!.id!, body: { name } }))
      }).pipe(Effect.provide(layer))
      expect(results.map((r) => r._tag)).toEqual(["Success", "Success"])
      const patches = (yield* mock.requests).filter((r) => r.method === "PATCH")
      expect(patches.length).toBe(2)
      expect(patches[1]!.receivedAt - patches[0]!.receivedAt).toBeGreaterThanOrEqual(100)
    }).pipe(Effect.scoped))

  it.live("batch updates take the locks of every id they carry", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ updateLatency: "50 millis" })
      const results = yield* Effect.gen(function*() {
        const created = yield* AmoCRM.Batch.createLeads([{ name: "A" }, { name: "B" }, { name: "C" }])
        const ids = created.map((c) => c.id!)
        return yield* Effect.all([
          Effect.result(AmoCRM.Batch.updateLeads([{ id: ids[0]!, price: 1 }, { id: ids[1]!, price: 1 }])),
          Effect.result(AmoCRM.Batch.updateLeads([{ id: ids[2]!, price: 2 }, { id: ids[1]!, price: 2 }])),
          Effect.result(AmoCRM.Updates.updateLead({ id: ids[1]!, body: { price: 3 } }))
        ], { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer))
      expect(results.map((r) => r._tag)).toEqual(["Success", "Success", "Success"])
    }).pipe(Effect.scoped))

  it.live("does not serialise updates of different leads", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ updateLatency: "400 millis" })
      yield* Effect.gen(function*() {
        const [a, b] = yield* AmoCRM.Batch.createLeads([{ name: "A" }, { name: "B" }])
        yield* Effect.all([
          AmoCRM.Updates.updateLead({ id: a!.id!, body: { name: "A2" } }),
          AmoCRM.Updates.updateLead({ id: b!.id!, body: { name: "B2" } })
        ], { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer))
      const patches = (yield* mock.requests).filter((r) => r.method === "PATCH")
      expect(Math.abs(patches[1]!.receivedAt - patches[0]!.receivedAt)).toBeLessThan(400)
    }).pipe(Effect.scoped))

  it.live("separate in-memory lock tables (two processes) do not serialise each other", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ updateLatency: "100 millis" })
      const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }]).pipe(Effect.provide(layer))
      const update = (name: string) =>
        AmoCRM.Updates.updateLead({ id: lead!.id!, body: { name } }).pipe(
          Effect.provide(Layer.merge(layer, AmoCRM.EntityLock.layerMemory).pipe(Layer.fresh))
        )
      const results = yield* Effect.all([Effect.result(update("first")), Effect.result(update("second"))], {
        concurrency: "unbounded"
      })
      expect(results.map((r) => r._tag).sort()).toEqual(["Failure", "Success"])
    }).pipe(Effect.scoped))

  it.live("serialises updates across processes through Redis", () =>
    Effect.gen(function*() {
      const url = yield* RedisServer.redisServer
      const { layer, mock } = yield* setup({ updateLatency: "100 millis" })
      const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }]).pipe(Effect.provide(layer))
      // Two "processes": each its own client, Redis connection and lock instance.
      const processLayer = () =>
        Layer.merge(layer, AmoCRM.EntityLock.layerRedis({ retryEvery: "10 millis" }).pipe(
          Layer.provide(NodeRedis.layer({ url }))
        )).pipe(Layer.fresh)
      const update = (name: string) =>
        AmoCRM.Updates.updateLead({ id: lead!.id!, body: { name } }).pipe(Effect.provide(processLayer()))
      const results = yield* Effect.all([Effect.result(update("first")), Effect.result(update("second"))], {
        concurrency: "unbounded"
      })
      expect(results.map((r) => r._tag)).toEqual(["Success", "Success"])
      const patches = (yield* mock.requests).filter((r) => r.method === "PATCH")
      expect(patches[1]!.receivedAt - patches[0]!.receivedAt).toBeGreaterThanOrEqual(100)
    }).pipe(Effect.scoped))

  it.effect("keeps a Redis lock alive while it is held (heartbeat every ttl/3), until it is released", () =>
    Effect.gen(function*() {
      const { pttl, redis } = yield* connect(yield* RedisServer.redisServer)
      const lock = AmoCRM.EntityLock.makeRedis(redis, { ttl: "30 seconds" })
      const key = "vendor-sdk:amocrm:lock:example.amocrm.ru:leads:1"
      const held = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      const holder = yield* lock.withLock(["example.amocrm.ru:leads:1"])(
        Effect.andThen(Deferred.succeed(held, undefined), Deferred.await(finish))
      ).pipe(Effect.forkChild)
      yield* Deferred.await(held)
      expect(yield* pttl(key)).toBeGreaterThan(25_000)
      // 25 of the 30 seconds have gone by for Redis; the update is still running.
      yield* Effect.orDie(redis.send("PEXPIRE", key, "5000"))
      yield* TestClock.adjust("10 seconds")
      yield* Testing.settleUntil(Effect.map(pttl(key), (ms) => ms > 20_000))
      yield* Deferred.succeed(finish, undefined)
      yield* Fiber.join(holder)
      expect(yield* pttl(key)).toBe(-2)
    }).pipe(Effect.scoped))

  it.effect("does not extend a lock that another holder took over", () =>
    Effect.gen(function*() {
      const { commands, pttl, recording, redis } = yield* connect(yield* RedisServer.redisServer)
      const lock = AmoCRM.EntityLock.makeRedis(recording, { ttl: "30 seconds" })
      const key = "vendor-sdk:amocrm:lock:example.amocrm.ru:leads:2"
      const held = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      const holder = yield* lock.withLock(["example.amocrm.ru:leads:2"])(
        Effect.andThen(Deferred.succeed(held, undefined), Deferred.await(finish))
      ).pipe(Effect.forkChild)
      yield* Deferred.await(held)
      // Our lock expired and someone else holds the key now.
      yield* Effect.orDie(redis.send("SET", key, "someone-else", "PX", "5000"))
      yield* TestClock.adjust("10 seconds")
      yield* Testing.settleUntil(Effect.sync(() => commands.filter((c) => c === "EVAL").length >= 1))
      expect(yield* pttl(key)).toBeLessThanOrEqual(5000)
      yield* Deferred.succeed(finish, undefined)
      yield* Fiber.join(holder)
      // Released by compare-and-delete: the other holder's key stays.
      expect(yield* Effect.orDie(redis.send<string>("GET", key))).toBe("someone-else")
    }).pipe(Effect.scoped))

  it.effect("a waiter for a busy Redis lock can be interrupted, and gives up with LockError after its timeout", () =>
    Effect.gen(function*() {
      const { commands, recording, redis } = yield* connect(yield* RedisServer.redisServer)
      const lock = AmoCRM.EntityLock.makeRedis(recording, { timeout: "5 seconds" })
      yield* Effect.orDie(redis.send("SET", "vendor-sdk:amocrm:lock:example.amocrm.ru:leads:3", "someone-else", "PX", "600000"))
      const attempted = Effect.sync(() => commands.filter((c) => c === "SET").length)

      const waiter = yield* lock.withLock(["example.amocrm.ru:leads:3"])(Effect.void).pipe(Effect.forkChild)
      yield* Testing.settleUntil(Effect.map(attempted, (n) => n >= 1))
      const interrupting = yield* Fiber.interrupt(waiter).pipe(Effect.forkChild)
      yield* Testing.settleUntil(ended(interrupting))
      expect(Exit.hasInterrupts(yield* Fiber.await(waiter))).toBe(true)

      const patient = yield* lock.withLock(["example.amocrm.ru:leads:3"])(Effect.void).pipe(Effect.flip, Effect.forkChild)
      yield* Testing.settleUntil(Effect.map(attempted, (n) => n >= 2))
      yield* TestClock.adjust("5 seconds")
      yield* Testing.settleUntil(ended(patient))
      const error = yield* Fiber.join(patient)
      expect(error._tag).toBe("LockError")
      expect(error.message).toContain("not acquired within 5s")
    }).pipe(Effect.scoped))

  it.effect("is re-entrant: an update inside withEntity of the same lead does not wait for itself", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const url = yield* RedisServer.redisServer
      const { redis } = yield* connect(url)
      const nested = (lock: Layer.Layer<never>) =>
        Effect.gen(function*() {
          const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }])
          return yield* AmoCRM.EntityLock.withEntity("leads", lead!.id!)(
            AmoCRM.Updates.updateLead({ id: lead!.id!, body: { price: 10 } })
          )
        }).pipe(Effect.provide(Layer.merge(layer, lock)), Effect.forkChild)
      for (const lock of [AmoCRM.EntityLock.layerMemory, Layer.succeed(AmoCRM.EntityLock.EntityLock, AmoCRM.EntityLock.makeRedis(redis))]) {
        const fiber = yield* nested(lock)
        yield* Testing.settleUntil(ended(fiber))
        expect((yield* Fiber.join(fiber)).id).toBeDefined()
      }
      expect((yield* mock.requests).filter((r) => r.method === "PATCH").length).toBe(2)
    }).pipe(Effect.scoped))

  it.live("names the account in lock keys: the same lead id of two accounts is not serialised", () =>
    Effect.gen(function*() {
      const keys: Array<ReadonlyArray<string>> = []
      const memory = AmoCRM.EntityLock.makeMemory()
      const recording = AmoCRM.EntityLock.reentrant((taken) => (effect) => {
        keys.push(taken)
        return memory.withLock(taken)(effect)
      })
      const acme = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "acme" })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta" })
      const account = (subdomain: string, domain: string, url: string) =>
        AmoCRM.layerAccount({ subdomain, domain, baseUrl: url, auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken), rateLimit: false })
      const update = Effect.gen(function*() {
        const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal" }])
        yield* AmoCRM.Updates.updateLead({ id: lead!.id!, body: { price: 1 } })
        yield* AmoCRM.Batch.updateLeads([{ id: lead!.id!, price: 2 }])
      })
      yield* Effect.all([
        update.pipe(Effect.provide(account("acme", "amocrm.ru", acme.url))),
        update.pipe(Effect.provide(account("beta", "kommo.com", beta.url)))
      ]).pipe(
        Effect.provide(Layer.succeed(AmoCRM.EntityLock.EntityLock, recording)),
        Effect.provide(NodeHttpClient.layerUndici)
      )
      expect(keys).toEqual([
        ["acme.amocrm.ru:leads:1000001"],
        ["acme.amocrm.ru:leads:1000001"],
        ["beta.kommo.com:leads:1000001"],
        ["beta.kommo.com:leads:1000001"]
      ])
    }).pipe(Effect.scoped))
})
