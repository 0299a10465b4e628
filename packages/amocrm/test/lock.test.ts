/**
 * The entity update lock: two concurrent updates of one entity are serialised (in process, and
 * across "processes" sharing a Redis server), where without it amoCRM refuses the second with
 * "Last modified date is older than in database".
 */
import { NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import { RedisServer } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

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
})
