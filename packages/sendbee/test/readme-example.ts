/**
 * The example of README.md, kept here so `pnpm check` type-checks it. Keep the two in sync.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer, Stream } from "effect"
import { Sendbee } from "@vendor-sdk/sendbee"

const program = Effect.gen(function*() {
  const contacts = yield* Sendbee.Contacts
  const messages = yield* Sendbee.Messages

  const { data: contact } = yield* contacts.subscribeContact({
    body: { phone: "+385911234567", name: "Ana", tags: ["webshop"], contact_fields: { City: "Zagreb" } }
  })
  const sent = yield* messages.sendTemplateMessage({
    body: { phone: contact.phone ?? "+385911234567", template_keyword: "welcome", language: "en", tags: { "1": "Ana" } }
  })
  // Webhook status calls about this message name the conversation with this id.
  yield* Effect.log("conversation", sent.data.id)

  yield* contacts.listContactsStream({ tags: ["webshop"], status: "subscribed" }).pipe(
    Stream.take(200),
    Stream.runForEach((c) => Effect.log(c.name, c.phone))
  )
}).pipe(
  Effect.catchTag("ValidationError", (error) => Effect.logError(error.message, error.code))
)

// SENDBEE_API_KEY and SENDBEE_API_SECRET, read as Redacted.
const SendbeeAuth = Layer.unwrap(
  Effect.map(
    Config.all({ apiKey: Config.Redacted("SENDBEE_API_KEY"), apiSecret: Config.Redacted("SENDBEE_API_SECRET") }),
    Sendbee.layerAuth
  )
)

const SendbeeLive = Sendbee.layer.pipe(
  Layer.provide(SendbeeAuth),
  Layer.provide(Sendbee.RateLimit.layer({ limit: 50 })),
  Layer.provide(Sendbee.Retry.layer({ times: 3 })),
  Layer.provide(NodeHttpClient.layerUndici)
)

export const main = () => program.pipe(Effect.provide(SendbeeLive), NodeRuntime.runMain)
