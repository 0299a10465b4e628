/**
 * Kommo's legacy v2 API, as the seed wrapper uses it: log in with an API key (the session cookie
 * is kept), save leads in limited batches, and page them back with limit_rows / limit_offset.
 *
 * Against the built-in mock by default; with KOMMO_SUBDOMAIN plus KOMMO_LOGIN and KOMMO_API_KEY (or
 * KOMMO_ACCESS_TOKEN) in the environment, against the real account.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Stream } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { line } from "./report.ts"

const program = (tag: string) =>
  Effect.gen(function*() {
    const saved = yield* Kommo.Batch.leads.add(Array.from({ length: 1200 }, (_, i) => ({ name: `${tag} lead ${i + 1}` })))
    yield* line(`saved ${saved.length} leads as {"add": [...]} requests of at most 250`)
    const leads = yield* Kommo.Leads
    const pages = new Set<number>()
    const listed = yield* leads.listLeadsStream({ query: tag }).pipe(Stream.runCollect)
    for (let offset = 0; offset < listed.length; offset += 500) pages.add(offset)
    yield* line(`paged ${listed.length} leads back with limit_rows=500, limit_offset=${[...pages].join("/")}`)
  })

export const run = Effect.gen(function*() {
  const subdomain = yield* Effect.option(Config.String("KOMMO_SUBDOMAIN"))
  const tag = `demo-${Date.now().toString(36)}`
  if (Option.isSome(subdomain)) {
    yield* line(`using the real Kommo account ${subdomain.value}`)
    return yield* program(tag).pipe(Effect.provide(Kommo.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))))
  }
  const mock = yield* KommoMock.make()
  yield* line(`mock Kommo (API v2) on ${mock.url}`)
  const KommoLive = Kommo.layerAccount({
    subdomain: "example",
    baseUrl: mock.url,
    auth: Kommo.ApiKey.layer(KommoMock.demoUser)
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  yield* program(tag).pipe(Effect.provide(KommoLive))
  const requests = yield* mock.requests
  const logins = requests.filter((r) => r.path === "/private/api/auth.php").length
  yield* line(`${requests.length} HTTP requests; ${logins} API-key login, its session cookie sent with the rest`)
}).pipe(Effect.scoped)
