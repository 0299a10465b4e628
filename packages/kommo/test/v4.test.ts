/**
 * Kommo's v4 API is amoCRM's, on `{subdomain}.kommo.com`: the same services with Kommo defaults,
 * several accounts at once.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"

describe("v4", () => {
  it.effect("sends v4 calls to {subdomain}.kommo.com by default", () =>
    Effect.gen(function*() {
      const urls: Array<string> = []
      const capture = Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) =>
        Effect.sync(() => {
          urls.push(request.url)
          return HttpClientResponse.fromWeb(request, new Response(null, { status: 204 }))
        })
      ))
      yield* Kommo.V4.Leads.use((leads) => leads.listLeads({ limit: 10 })).pipe(
        Effect.provide(Kommo.V4.layerAccount({ subdomain: "acme", auth: Kommo.V4.OAuth.longLived("t"), rateLimit: false }).pipe(
          Layer.provide(capture)
        ))
      )
      expect(urls).toEqual(["https://acme.kommo.com/api/v4/leads"])
    }))

  it("uses the kommo.com authorize page and button, and exposes amoCRM's registry", () => {
    expect(Kommo.V4.OAuth.authorizeUrl({ clientId: "c1", state: "s" })).toBe("https://www.kommo.com/oauth?client_id=c1&state=s")
    expect(Kommo.V4.OAuth.button({ clientId: "c1", state: "s" })).toContain("https://www.kommo.com/auth/button.min.js")
    expect(Kommo.V4.operations.createLeadsComplex.path).toBe("/api/v4/leads/complex")
  })

  it.live("serves two Kommo accounts at once, each with its own credentials", () =>
    Effect.gen(function*() {
      const north = yield* KommoMock.makeV4({ rateLimit: false, staticTokens: ["north-token"] })
      const south = yield* KommoMock.makeV4({ rateLimit: false, staticTokens: ["south-token"] })
      const accounts = Kommo.V4.Accounts.layer({
        north: Kommo.V4.layerAccount({ subdomain: "north", baseUrl: north.url, auth: Kommo.V4.OAuth.longLived("north-token") }),
        south: Kommo.V4.layerAccount({ subdomain: "south", baseUrl: south.url, auth: Kommo.V4.OAuth.longLived("south-token") })
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const run = Kommo.V4.Accounts.run<Kommo.V4.Services>
      const [a, b] = yield* Effect.gen(function*() {
        yield* run("north")(Kommo.V4.Batch.createContacts([{ name: "Nora" }]))
        yield* run("south")(Kommo.V4.Batch.createContacts([{ name: "Sam" }, { name: "Sue" }]))
        const names = (account: string) =>
          run(account)(Kommo.V4.Contacts.use((contacts) => Stream.runCollect(contacts.listContactsStream({}))))
        return [yield* names("north"), yield* names("south")]
      }).pipe(Effect.provide(accounts))
      expect(a?.map((c) => c.name)).toEqual(["Nora"])
      expect(b?.map((c) => c.name)).toEqual(["Sam", "Sue"])
    }).pipe(Effect.scoped))
})
