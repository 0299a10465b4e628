/**
 * amoCRM, as a user would write it: create 300 leads in batches, list them back as a Stream, and
 * link a contact to one of them.
 *
 * Against the built-in mock by default; with AMOCRM_SUBDOMAIN and AMOCRM_ACCESS_TOKEN (or the OAuth
 * variables of `AmoCRM.layerConfig`) in the environment, against the real account.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Stream } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { line } from "./report.ts"

const program = (tag: string) =>
  Effect.gen(function*() {
    const created = yield* AmoCRM.Batch.createLeads(
      Array.from({ length: 300 }, (_, i) => ({ name: `${tag} deal ${i + 1}`, price: 1000 + i }))
    )
    yield* line(`created ${created.length} leads in requests of at most 250, ids in input order`)

    const leads = yield* AmoCRM.Leads
    const listed = yield* leads.listLeadsStream({ query: tag, limit: 250 }).pipe(Stream.runCollect)
    yield* line(`streamed them back: ${listed.length} leads over ${Math.ceil(listed.length / 250)} pages`)

    const [contact] = yield* AmoCRM.Batch.createContacts([{ name: "Ann Lee" }])
    const links = yield* AmoCRM.Links
    yield* links.linkEntity({
      entity_type: "leads",
      entity_id: created[0]!.id!,
      body: [{ to_entity_type: "contacts", to_entity_id: contact!.id!, metadata: { is_main: true } }]
    })
    const linked = yield* links.listEntityLinks({ entity_type: "leads", entity_id: created[0]!.id! })
    const count = linked === undefined ? 0 : linked._embedded?.links?.length ?? 0
    yield* line(`linked contact ${contact!.id} to lead ${created[0]!.id}; the lead has ${count} link(s)`)
  })

export const run = Effect.gen(function*() {
  const subdomain = yield* Effect.option(Config.String("AMOCRM_SUBDOMAIN"))
  const tag = `demo-${Date.now().toString(36)}`
  if (Option.isSome(subdomain)) {
    yield* line(`using the real amoCRM account ${subdomain.value}`)
    return yield* program(tag).pipe(Effect.provide(AmoCRM.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))))
  }
  const mock = yield* AmoCRMMock.make()
  yield* line(`mock amoCRM on ${mock.url}`)
  const AmoCRMLive = AmoCRM.layerAccount({
    subdomain: "example",
    baseUrl: mock.url,
    auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken),
    rateLimit: {},
    retry: { times: 3 }
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  yield* program(tag).pipe(Effect.provide(AmoCRMLive))
  yield* line(`${(yield* mock.requests).length} HTTP requests, at most 7 a second`)
}).pipe(Effect.scoped)
