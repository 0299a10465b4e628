/**
 * What a consumer does: test their own program by swapping Sendbee's services for test doubles,
 * with no server at all.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { Errors, Testing } from "@vendor-sdk/core"
import { Sendbee } from "@vendor-sdk/sendbee"

/** A consumer program: send the "welcome" template to every subscribed contact tagged `new`. */
const welcomeNewContacts = Effect.gen(function*() {
  const contacts = yield* Sendbee.Contacts
  const messages = yield* Sendbee.Messages
  return yield* contacts.listContactsStream({ tags: ["new"], status: "subscribed" }).pipe(
    Stream.filter((contact) => contact.phone != null),
    Stream.mapEffect((contact) =>
      messages.sendTemplateMessage({
        body: { phone: contact.phone!, template_keyword: "welcome", language: "en", tags: { "1": contact.name ?? "there" } }
      })
    ),
    Stream.map((sent) => sent.data.id),
    Stream.runCollect
  )
})

const page = (contacts: ReadonlyArray<Sendbee.Contact>, current: number, last: number): Sendbee.ContactListEnvelope => ({
  data: contacts,
  meta: { current_page: current, last_page: last, per_page: 2, total: 3 }
})

const doubles = Layer.mergeAll(
  Sendbee.Contacts.layerTest({
    listContacts: (params) =>
      Effect.succeed(
        params?.page === 2
          ? page([{ id: "c3", name: "Cy", phone: "+3" }], 2, 2)
          : page([{ id: "c1", name: "Ana", phone: "+1" }, { id: "c2", name: null, phone: null }], 1, 2)
      )
  }),
  Sendbee.Messages.layerTest({
    sendTemplateMessage: ({ body }) => Effect.succeed({ data: { id: `conversation-of-${body.phone}`, status: "queued" } })
  })
)

describe("layerTest", () => {
  it.effect("runs a consumer program on supplied methods; the stream pages by meta from the page method", () =>
    Effect.gen(function*() {
      const sent = yield* welcomeNewContacts.pipe(Effect.provide(doubles))
      expect(sent).toEqual(["conversation-of-+1", "conversation-of-+3"])
    }))

  it.effect("records the calls the program made, in order", () =>
    Effect.gen(function*() {
      yield* welcomeNewContacts.pipe(Effect.provide(doubles))
      const calls = yield* Testing.calls
      expect(calls.map((call) => [call.service, call.method, call.params])).toEqual([
        ["Contacts", "listContacts", { tags: ["new"], status: "subscribed", page: 1 }],
        ["Messages", "sendTemplateMessage", { body: { phone: "+1", template_keyword: "welcome", language: "en", tags: { "1": "Ana" } } }],
        ["Contacts", "listContacts", { tags: ["new"], status: "subscribed", page: 2 }],
        ["Messages", "sendTemplateMessage", { body: { phone: "+3", template_keyword: "welcome", language: "en", tags: { "1": "Cy" } } }]
      ])
    }).pipe(Effect.provide(Testing.Recorder.layer)))

  it.effect("lets a test fail a call with a typed error", () =>
    Effect.gen(function*() {
      const failing = Sendbee.Messages.layerTest({
        sendTemplateMessage: () =>
          Effect.fail(
            new Errors.RateLimited({ vendor: "sendbee", operationId: "sendTemplateMessage", status: 429, message: "slow down" })
          )
      })
      const error = yield* welcomeNewContacts.pipe(Effect.provide(Layer.merge(doubles, failing)), Effect.flip)
      expect(error._tag).toBe("RateLimited")
    }))

  it.effect("dies naming the service and method a test did not supply", () =>
    Effect.gen(function*() {
      const exit = yield* Sendbee.Teams.use((t) => t.listTeamMembers()).pipe(Effect.provide(Sendbee.Teams.layerTest({})), Effect.exit)
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("sendbee Teams.listTeamMembers is not implemented by this layerTest")
    }))

  it.effect("derives withResponse from the plain method, so a warning check runs on a double too", () =>
    Effect.gen(function*() {
      const response = yield* Sendbee.Automation.use((a) => a.withResponse.getChatbotActivityStatus({ conversation_id: "c1" })).pipe(
        Effect.provide(Sendbee.Automation.layerTest({
          getChatbotActivityStatus: ({ conversation_id }) => Effect.succeed({ data: { conversation_id, chatbot_active: true }, warning: "w" })
        }))
      )
      expect(response.status).toBe(200)
      expect(response.value.warning).toBe("w")
    }))
})
