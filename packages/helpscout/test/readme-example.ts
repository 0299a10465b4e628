/**
 * The example of README.md, kept here so `pnpm check` type-checks it. Keep the two in sync.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"

const program = Effect.gen(function*() {
  const conversations = yield* HelpScout.Conversations
  const threads = yield* HelpScout.Threads

  const { id } = yield* conversations.createConversation({
    body: {
      subject: "Where is my order?",
      type: "email",
      status: "active",
      mailboxId: 1,
      customer: { email: "ana@example.com" },
      threads: [{ type: "customer", text: "It has not arrived.", customer: { email: "ana@example.com" } }]
    }
  })
  yield* threads.createNoteThread({ conversationId: id, body: { type: "note", text: "Checking with the courier." } })

  yield* conversations.listConversationsStream({ status: "active", embed: "threads" }).pipe(
    Stream.take(100),
    Stream.runForEach((conversation) => Effect.log(conversation.number, conversation.subject))
  )
}).pipe(
  Effect.catchTag("ValidationError", (error) => Effect.logError(error.message, error.fieldErrors, error.correlationId))
)

const HelpScoutLive = HelpScout.layer.pipe(
  Layer.provide(HelpScout.Auth.clientCredentials({ clientId: "app-id", clientSecret: "app-secret" })),
  Layer.provide(HelpScout.RateLimit.layer({ limit: 200 })),
  Layer.provide(HelpScout.Retry.layer({ times: 3 })),
  Layer.provide(NodeHttpClient.layerUndici)
)

export const main = () => program.pipe(Effect.provide(HelpScoutLive), NodeRuntime.runMain)
