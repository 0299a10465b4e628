/**
 * Several accounts at once, each with its own host, credentials and client; and the services under
 * the official library's names.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"

describe("accounts", () => {
  it.live("runs each effect against its own account", () =>
    Effect.gen(function*() {
      const acme = yield* AmoCRMMock.make({ rateLimit: false, staticTokens: ["acme-token"] })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, staticTokens: ["beta-token"] })
      const accounts = AmoCRM.Accounts.layer({
        acme: AmoCRM.layerAccount({ subdomain: "acme", baseUrl: acme.url, auth: AmoCRM.OAuth.longLived("acme-token") }),
        beta: AmoCRM.layerAccount({ subdomain: "beta", domain: "kommo.com", baseUrl: beta.url, auth: AmoCRM.OAuth.longLived("beta-token") })
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const run = AmoCRM.Accounts.run<AmoCRM.Services>
      const names = yield* Effect.gen(function*() {
        yield* run("acme")(AmoCRM.Batch.createLeads([{ name: "acme deal" }]))
        yield* run("beta")(AmoCRM.Batch.createLeads([{ name: "beta deal 1" }, { name: "beta deal 2" }]))
        const list = (name: string) =>
          run(name)(AmoCRM.Leads.use((leads) => Stream.runCollect(leads.listLeadsStream({}))))
        return [(yield* list("acme")).map((l) => l.name), (yield* list("beta")).map((l) => l.name)]
      }).pipe(Effect.provide(accounts))
      expect(names).toEqual([["acme deal"], ["beta deal 1", "beta deal 2"]])
      expect((yield* acme.requests).every((r) => r.headers["authorization"] === "Bearer acme-token")).toBe(true)
      expect((yield* beta.requests).every((r) => r.headers["authorization"] === "Bearer beta-token")).toBe(true)
      const unknown = yield* run("gamma")(Effect.void).pipe(Effect.provide(accounts), Effect.flip)
      expect(unknown._tag).toBe("UnknownAccount")
    }).pipe(Effect.scoped))

  it.live("exposes the services under the library's names", () =>
    Effect.gen(function*() {
      const mock = yield* AmoCRMMock.make({ rateLimit: false })
      const layer = AmoCRM.Api.layer.pipe(
        Layer.provideMerge(AmoCRM.layerAccount({ subdomain: "example", baseUrl: mock.url, auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken) })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const fields = yield* Effect.gen(function*() {
        const api = yield* AmoCRM.Api
        expect(api.statuses).toBe(api.pipelines)
        yield* api.tags.createTags({ entity_type: "leads", body: [{ name: "vip" }] })
        return yield* api.customFields.listCustomFieldsStream({ entity_type: "contacts" }).pipe(Stream.runCollect)
      }).pipe(Effect.provide(layer))
      expect(fields.map((f) => f.code)).toEqual(["PHONE", "EMAIL"])
    }).pipe(Effect.scoped))
})

describe("mock state", () => {
  it.live("keeps notes and tags per entity type, reachable on their generic routes", () =>
    Effect.gen(function*() {
      const mock = yield* AmoCRMMock.make({ rateLimit: false })
      const layer = AmoCRM.layerAccount({ subdomain: "example", baseUrl: mock.url, auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken) }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const [notes, entityNotes, tags, none] = yield* Effect.gen(function*() {
        const [lead] = yield* AmoCRM.Batch.createLeads([{ name: "Deal", _embedded: { tags: [{ name: "hot" }] } }])
        yield* AmoCRM.Batch.createNotes("leads")([
          { entity_id: lead!.id!, note_type: "common", params: { text: "Called" } },
          { entity_id: lead!.id!, note_type: "sms_out", params: { text: "Hi", phone: "+79000000000" } }
        ])
        const service = yield* AmoCRM.Notes
        const tagService = yield* AmoCRM.Tags
        return [
          yield* Stream.runCollect(service.listNotesStream({ entity_type: "leads" })),
          yield* Stream.runCollect(service.listEntityNotesStream({ entity_type: "leads", entity_id: lead!.id! })),
          yield* Stream.runCollect(tagService.listTagsStream({ entity_type: "leads" })),
          yield* Stream.runCollect(tagService.listTagsStream({ entity_type: "contacts" }))
        ] as const
      }).pipe(Effect.provide(layer))
      expect(notes.map((n) => n.note_type)).toEqual(["common", "sms_out"])
      expect(entityNotes.length).toBe(2)
      expect(tags.map((t) => t.name)).toEqual(["hot"])
      expect(none).toEqual([])
    }).pipe(Effect.scoped))
})
