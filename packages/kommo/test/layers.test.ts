/**
 * Account layers are built apart (nesting one in another uses the inner account), from options or
 * from configuration, and Kommo's v2 and v4 updates of one lead take the same lock.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { setup } from "./support.ts"

const leadNames = Kommo.Leads.use((leads) => leads.listLeads({})).pipe(
  Effect.map((page) => page?._embedded?.items?.map((lead) => lead.name) ?? [])
)

describe("account layers", () => {
  it.live("a nested v2 account layer uses its own host and credentials", () =>
    Effect.gen(function*() {
      const north = yield* KommoMock.make({ rateLimit: false, staticTokens: ["north-token"] })
      const south = yield* KommoMock.make({ rateLimit: false, staticTokens: ["south-token"] })
      const account = (subdomain: string, url: string) =>
        Kommo.layerAccount({ subdomain, baseUrl: url, auth: Kommo.Auth.bearer(`${subdomain}-token`), rateLimit: false }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      const seen = yield* Effect.gen(function*() {
        yield* Kommo.Batch.leads.add([{ name: "north deal" }])
        const inner = yield* Kommo.Batch.leads.add([{ name: "south deal" }]).pipe(
          Effect.andThen(leadNames),
          Effect.provide(account("south", south.url))
        )
        return [yield* leadNames, inner]
      }).pipe(Effect.provide(account("north", north.url)))
      expect(seen).toEqual([["north deal"], ["south deal"]])
      expect((yield* south.requests).every((r) => r.headers["authorization"] === "Bearer south-token")).toBe(true)
    }).pipe(Effect.scoped))

  it.live("layerConfig is a function of its prefix, like amoCRM's, and its accounts nest", () =>
    Effect.gen(function*() {
      const north = yield* KommoMock.make({ rateLimit: false, staticTokens: ["north-token"] })
      const south = yield* KommoMock.make({ rateLimit: false, staticTokens: ["south-token"] })
      const config = ConfigProvider.fromUnknown({
        NORTH_SUBDOMAIN: "north",
        NORTH_BASE_URL: north.url,
        NORTH_ACCESS_TOKEN: "north-token",
        SOUTH_SUBDOMAIN: "south",
        SOUTH_BASE_URL: south.url,
        SOUTH_ACCESS_TOKEN: "south-token"
      })
      const account = (prefix: string) => Kommo.layerConfig({ prefix }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      yield* Effect.andThen(
        Kommo.Batch.leads.add([{ name: "north deal" }]),
        Kommo.Batch.leads.add([{ name: "south deal" }]).pipe(Effect.provide(account("SOUTH")))
      ).pipe(Effect.provide(account("NORTH")), Effect.provide(ConfigProvider.layer(config)))
      expect(north.state.collection<{ id: number; name: string }>("leads").list().map((l) => l.name)).toEqual(["north deal"])
      expect(south.state.collection<{ id: number; name: string }>("leads").list().map((l) => l.name)).toEqual(["south deal"])
    }).pipe(Effect.scoped))

  it.live("locks a lead under one key for its v2 and its v4 updates", () =>
    Effect.gen(function*() {
      const keys: Array<string> = []
      const memory = Kommo.V4.EntityLock.makeMemory()
      const recording = Kommo.V4.EntityLock.reentrant((taken) => (effect) => {
        keys.push(...taken)
        return memory.withLock(taken)(effect)
      })
      const { layer: v2 } = yield* setup()
      const v4mock = yield* KommoMock.makeV4({ rateLimit: false })
      const v4 = Kommo.V4.layerAccount({
        subdomain: "example",
        baseUrl: v4mock.url,
        auth: Kommo.V4.OAuth.longLived(AmoCRMMock.staticToken),
        rateLimit: false
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      yield* Effect.gen(function*() {
        const [viaV2] = yield* Kommo.Batch.leads.add([{ name: "Deal" }]).pipe(Effect.provide(v2))
        const [viaV4] = yield* Kommo.V4.Batch.createLeads([{ name: "Deal" }]).pipe(Effect.provide(v4))
        expect(viaV2!.id).toBe(viaV4!.id)
        yield* Kommo.Batch.leads.update([{ id: viaV2!.id!, name: "v2" }]).pipe(Effect.provide(v2))
        yield* Kommo.V4.Updates.updateLead({ id: viaV4!.id!, body: { name: "v4" } }).pipe(Effect.provide(v4))
      }).pipe(Effect.provide(Layer.succeed(Kommo.V4.EntityLock.EntityLock, recording)))
      expect(keys).toEqual(["example.kommo.com:leads:1000001", "example.kommo.com:leads:1000001"])
    }).pipe(Effect.scoped))
})
