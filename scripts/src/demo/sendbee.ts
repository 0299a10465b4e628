/**
 * Sendbee, as a user would write it: subscribe a contact, send a template message, and page
 * through conversations. Every request is signed with a fresh HMAC token.
 *
 * Against the built-in mock by default; with SENDBEE_API_KEY and SENDBEE_API_SECRET in the
 * environment, against the real API (the template `welcome` in English must exist there).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Stream } from "effect"
import { Sendbee } from "@vendor-sdk/sendbee"
import * as SendbeeMock from "@vendor-sdk/sendbee/mock"
import { line } from "./report.ts"

const program = Effect.gen(function*() {
  const contacts = yield* Sendbee.Contacts
  const messages = yield* Sendbee.Messages
  const conversations = yield* Sendbee.Conversations
  const { data: contact } = yield* contacts.subscribeContact({
    body: { phone: "+385911234567", name: "Marko", tags: ["demo"], contact_fields: { City: "Split" } }
  })
  yield* line(`subscribed contact ${contact.name} (${contact.phone})`)
  const sent = yield* messages.sendTemplateMessage({
    body: { phone: "+385911234567", template_keyword: "welcome", language: "en", tags: { "1": "Marko" } }
  })
  yield* line(`sent template "welcome" into conversation ${sent.data.id}`)
  const all = yield* conversations.listConversationsStream({}).pipe(Stream.runCollect)
  yield* line(`paged ${all.length} conversations by meta.current_page / last_page`)
})

export const run = Effect.gen(function*() {
  const key = yield* Effect.option(Config.String("SENDBEE_API_KEY"))
  if (Option.isSome(key)) {
    yield* line("using the real Sendbee API (credentials found in the environment)")
    return yield* program.pipe(Effect.provide(Sendbee.layerConfig.pipe(Layer.provide(NodeHttpClient.layerUndici))))
  }
  const mock = yield* SendbeeMock.make({ pageSize: 1 })
  yield* line(`mock Sendbee on ${mock.url}`)
  const SendbeeLive = Sendbee.layer.pipe(
    Layer.provide(Sendbee.layerAuth(SendbeeMock.demoCredentials)),
    Layer.provide(Sendbee.RateLimit.layer({ limit: 60 })),
    Layer.provide(Sendbee.Retry.layer({ times: 3 })),
    Layer.provide(Sendbee.Endpoint.layer({ baseUrl: mock.url })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  yield* program.pipe(Effect.provide(SendbeeLive))
  yield* line(`${(yield* mock.requests).length} HTTP requests, each with its own X-Auth-Token`)
}).pipe(Effect.scoped)
