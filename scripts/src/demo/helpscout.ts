/**
 * Help Scout, as a user would write it: create a customer and a conversation, add a note, list
 * conversations as a Stream, and verify an incoming webhook.
 *
 * Against the built-in mock by default; with HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET (or
 * HELPSCOUT_ACCESS_TOKEN) in the environment, against the real Help Scout (set HELPSCOUT_MAILBOX_ID
 * to a mailbox you can write to).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Redacted, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"
import { line } from "./report.ts"

const program = (mailboxId: number) =>
  Effect.gen(function*() {
    const customers = yield* HelpScout.Customers
    const conversations = yield* HelpScout.Conversations
    const threads = yield* HelpScout.Threads

    const customer = yield* customers.createCustomer({
      body: { firstName: "Ana", lastName: "Lopez", emails: [{ value: "ana.lopez@example.com", type: "work" }] }
    })
    yield* line(`created customer ${customer.id}`)

    const { id } = yield* conversations.createConversation({
      body: {
        subject: "My order has not arrived",
        type: "email",
        status: "active",
        mailboxId,
        customer: { id: customer.id },
        threads: [{ type: "customer", text: "Ordered last week, still waiting.", customer: { id: customer.id } }],
        tags: ["shipping"]
      }
    })
    yield* line(`created conversation ${id}`)

    yield* threads.createNoteThread({ conversationId: id, body: { type: "note", text: "Asked the courier for a status." } })
    yield* line("added a note thread")

    const recent = yield* conversations.listConversationsStream({ status: "active", embed: "threads" }).pipe(
      Stream.take(25),
      Stream.runCollect
    )
    const mine = recent.find((conversation) => conversation.id === id)
    yield* line(`streamed ${recent.length} active conversations; ours has ${mine?._embedded?.threads?.length ?? 0} threads`)

    // What our webhook endpoint would receive from Help Scout, signed with the webhook's secret.
    const secret = Redacted.make("demo-webhook-secret")
    const body = JSON.stringify({ id, number: mine?.number, subject: mine?.subject, mailbox: { id: mailboxId } })
    const headers = yield* HelpScout.IncomingWebhooks.sign(secret, "convo.created", body)
    const event = yield* HelpScout.IncomingWebhooks.decode(secret, { headers, body })
    const forged = yield* Effect.flip(HelpScout.IncomingWebhooks.verify(secret, { headers, body: body.replace("My", "Your") }))
    yield* line(`verified webhook ${event.event}; a tampered copy was rejected (${forged.reason})`)
  })

const live = Effect.gen(function*() {
  const mailbox = yield* Config.Int("HELPSCOUT_MAILBOX_ID").pipe(Config.withDefault(1))
  return { layer: HelpScout.layerConfig, mailbox }
})

/** Runs the Help Scout demo; `real` when credentials are in the environment. */
export const run = Effect.gen(function*() {
  const configured = yield* Effect.option(Config.String("HELPSCOUT_APP_ID").pipe(Config.orElse(() => Config.String("HELPSCOUT_ACCESS_TOKEN"))))
  if (Option.isSome(configured)) {
    const { layer, mailbox } = yield* live
    yield* line("using the real Help Scout API (credentials found in the environment)")
    return yield* program(mailbox).pipe(Effect.provide(layer.pipe(Layer.provide(NodeHttpClient.layerUndici))))
  }
  const mock = yield* HelpScoutMock.make()
  yield* line(`mock Help Scout on ${mock.url}`)
  const HelpScoutLive = HelpScout.layer.pipe(
    Layer.provide(HelpScout.Auth.clientCredentials({ clientId: HelpScoutMock.demoClient.id, clientSecret: HelpScoutMock.demoClient.secret })),
    Layer.provide(HelpScout.RateLimit.layer({ limit: 400, window: "1 minute" })),
    Layer.provide(HelpScout.Retry.layer({ times: 3 })),
    Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  yield* program(1).pipe(Effect.provide(HelpScoutLive))
  const requests = yield* mock.requests
  yield* line(`${requests.length} HTTP requests, ${requests.filter((r) => r.path.endsWith("/oauth2/token")).length} token request`)
}).pipe(Effect.scoped)
