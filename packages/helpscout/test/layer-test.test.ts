/**
 * What a consumer does: test their own program by swapping the services for test doubles.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import { Testing } from "@vendor-sdk/core"

/** A consumer program: the subjects of every open conversation of a mailbox, upper-cased. */
const openSubjects = (mailbox: number) =>
  HelpScout.Conversations.use((conversations) =>
    conversations.listConversationsStream({ mailbox, status: "open" }).pipe(
      Stream.map((conversation) => (conversation.subject ?? "").toUpperCase()),
      Stream.runCollect
    )
  )

const page = (subjects: ReadonlyArray<string>, number: number, totalPages: number): HelpScout.ConversationPage => ({
  _embedded: { conversations: subjects.map((subject, i) => ({ id: number * 10 + i, subject })) },
  page: { number, totalPages, size: 2, totalElements: 3 }
})

describe("layerTest", () => {
  it.effect("runs a consumer program on supplied methods; the stream derives from the page method", () =>
    Effect.gen(function*() {
      const subjects = yield* openSubjects(1).pipe(
        Effect.provide(HelpScout.Conversations.layerTest({
          listConversations: (params) => Effect.succeed(params?.page === 2 ? page(["c"], 2, 2) : page(["a", "b"], 1, 2))
        }))
      )
      expect(subjects).toEqual(["A", "B", "C"])
    }))

  it.effect("records the calls a program made", () =>
    Effect.gen(function*() {
      yield* openSubjects(7).pipe(
        Effect.provide(HelpScout.Conversations.layerTest({ listConversations: () => Effect.succeed(page([], 1, 0)) }))
      )
      const calls = yield* Testing.calls
      expect(calls.map((call) => [call.method, call.params])).toEqual([
        ["listConversations", { mailbox: 7, status: "open", page: 1 }]
      ])
    }).pipe(Effect.provide(Testing.Recorder.layer)))

  it.effect("dies naming the service and method a test did not supply", () =>
    Effect.gen(function*() {
      const exit = yield* HelpScout.Conversations.use((c) => c.getConversation({ conversationId: 1 })).pipe(
        Effect.provide(HelpScout.Conversations.layerTest({})),
        Effect.exit
      )
      expect(exit._tag).toBe("Failure")
      expect(String(exit)).toContain("helpscout Conversations.getConversation is not implemented by this layerTest")
    }))

  it.effect("derives withResponse from the plain method", () =>
    Effect.gen(function*() {
      const response = yield* HelpScout.Mailboxes.use((m) => m.withResponse.getMailbox({ mailboxId: 1 })).pipe(
        Effect.provide(HelpScout.Mailboxes.layerTest({ getMailbox: ({ mailboxId }) => Effect.succeed({ id: mailboxId, name: "Support" }) }))
      )
      expect(response.status).toBe(200)
      expect(response.value).toEqual({ id: 1, name: "Support" })
    }))

  it.effect("composes with other test layers like any Layer", () =>
    Effect.gen(function*() {
      const result = yield* Effect.gen(function*() {
        const users = yield* HelpScout.Users
        const me = yield* users.getAuthenticatedUser()
        const mailbox = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 2 }))
        return `${me.firstName}@${mailbox.name}`
      }).pipe(
        Effect.provide(Layer.mergeAll(
          HelpScout.Users.layerTest({ getAuthenticatedUser: () => Effect.succeed({ id: 1, firstName: "Ada" }) }),
          HelpScout.Mailboxes.layerTest({ getMailbox: () => Effect.succeed({ id: 2, name: "Billing" }) })
        ))
      )
      expect(result).toBe("Ada@Billing")
    }))
})
