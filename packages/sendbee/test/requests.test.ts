/**
 * What goes on the wire for every operation of the reference: method, path, query and JSON body as
 * the loopback mock received them (which also validated each against the spec). GET parameters
 * travel in the query string; POST, PUT and DELETE parameters as a JSON body, deletes included.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { operations, Sendbee } from "@vendor-sdk/sendbee"
import { seeded } from "@vendor-sdk/sendbee/mock"
import { setup } from "./support.ts"

interface Expected {
  readonly method: string
  readonly path: string
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly body?: unknown
}

describe("request shapes", () => {
  it.effect("sends every operation as the reference describes it", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: Sendbee.Retry.disabled })
      const seen: Array<string> = []
      const check = <A, E, R>(operationId: keyof typeof operations, effect: Effect.Effect<A, E, R>, expected: Expected) =>
        Effect.gen(function*() {
          yield* mock.clear
          const result = yield* effect
          const [request, ...more] = yield* mock.requests
          expect(more).toEqual([])
          expect([operationId, request?.method, request?.path]).toEqual([operationId, expected.method, expected.path])
          expect([operationId, request?.query]).toEqual([operationId, expected.query ?? []])
          if (expected.body === undefined) {
            expect([operationId, request?.text]).toEqual([operationId, ""])
          } else {
            expect([operationId, request?.headers["content-type"]]).toEqual([operationId, "application/json"])
            expect([operationId, request?.body]).toEqual([operationId, expected.body])
          }
          seen.push(operationId)
          return result
        })

      yield* Effect.gen(function*() {
        const contacts = yield* Sendbee.Contacts
        const tags = yield* Sendbee.ContactTags
        const fields = yield* Sendbee.ContactFields
        const conversations = yield* Sendbee.Conversations
        const messages = yield* Sendbee.Messages
        const templates = yield* Sendbee.MessageTemplates
        const teams = yield* Sendbee.Teams
        const automation = yield* Sendbee.Automation
        const rateLimit = yield* Sendbee.RateLimitService
        const conversation_id = seeded.conversation

        yield* check(
          "listContacts",
          contacts.listContacts({ tags: ["vip", "lead"], status: "subscribed", search_query: "ana", page: 1, limit: 50 }),
          {
            method: "GET",
            path: "/contacts",
            query: [["tags", "vip,lead"], ["status", "subscribed"], ["search_query", "ana"], ["page", "1"], ["limit", "50"]]
          }
        )
        const subscribe = {
          phone: "+385920000001",
          whatsapp_user_id: "HR.1234567890",
          name: "Ivo",
          tags: ["lead"],
          contact_fields: { City: "Split", Score: 7, Active: true },
          notes: ["met at the fair"],
          block_notifications: false,
          block_automation: true
        }
        const created = yield* check("subscribeContact", contacts.subscribeContact({ body: subscribe }), {
          method: "POST",
          path: "/contacts/subscribe",
          body: subscribe
        })
        const contactId = created.data.id
        yield* check("updateContact", contacts.updateContact({ body: { id: contactId, name: "Ivo K", tags: ["vip"], notes: ["called"] } }), {
          method: "PUT",
          path: "/contacts",
          body: { id: contactId, name: "Ivo K", tags: ["vip"], notes: ["called"] }
        })

        yield* check("listContactTags", tags.listContactTags({ name: "vi", page: 2, limit: 10 }), {
          method: "GET",
          path: "/contacts/tags",
          query: [["name", "vi"], ["page", "2"], ["limit", "10"]]
        })
        const tag = yield* check("createContactTag", tags.createContactTag({ body: { name: "newsletter" } }), {
          method: "POST",
          path: "/contacts/tags",
          body: { name: "newsletter" }
        })
        yield* check("updateContactTag", tags.updateContactTag({ body: { id: tag.data.id, name: "news" } }), {
          method: "PUT",
          path: "/contacts/tags",
          body: { id: tag.data.id, name: "news" }
        })
        yield* check("deleteContactTag", tags.deleteContactTag({ body: { id: tag.data.id } }), {
          method: "DELETE",
          path: "/contacts/tags",
          body: { id: tag.data.id }
        })

        yield* check("listContactFields", fields.listContactFields({ search_query: "Ci", page: 1 }), {
          method: "GET",
          path: "/contacts/fields",
          query: [["search_query", "Ci"], ["page", "1"]]
        })
        const field = yield* check(
          "createContactField",
          fields.createContactField({ body: { name: "Tier", type: "list", options: ["gold", "silver"] } }),
          { method: "POST", path: "/contacts/fields", body: { name: "Tier", type: "list", options: ["gold", "silver"] } }
        )
        yield* check(
          "updateContactField",
          fields.updateContactField({ body: { id: field.data.id, name: "Tier", type: "list", options: ["gold", "silver", "bronze"] } }),
          { method: "PUT", path: "/contacts/fields", body: { id: field.data.id, name: "Tier", type: "list", options: ["gold", "silver", "bronze"] } }
        )
        yield* check("deleteContactField", fields.deleteContactField({ body: { id: field.data.id } }), {
          method: "DELETE",
          path: "/contacts/fields",
          body: { id: field.data.id }
        })

        yield* check(
          "listConversations",
          conversations.listConversations({
            folder: "open",
            search_query: "Ana",
            date_from: "2024-01-01",
            date_to: "2030-12-31",
            page: 1,
            limit: 20
          }),
          {
            method: "GET",
            path: "/conversations",
            query: [["folder", "open"], ["search_query", "Ana"], ["date_from", "2024-01-01"], ["date_to", "2030-12-31"], ["page", "1"], [
              "limit",
              "20"
            ]]
          }
        )
        yield* check("getConversation", conversations.getConversation({ conversation_id }), {
          method: "GET",
          path: "/conversation",
          query: [["conversation_id", conversation_id]]
        })
        yield* check("updateConversation", conversations.updateConversation({ body: { conversation_id, folder: "done" } }), {
          method: "POST",
          path: "/conversation",
          body: { conversation_id, folder: "done" }
        })

        yield* check("listMessages", messages.listMessages({ conversation_id, page: 1 }), {
          method: "GET",
          path: "/conversations/messages",
          query: [["conversation_id", conversation_id], ["page", "1"]]
        })
        yield* check("listMessageTemplates", templates.listMessageTemplates({ status: "approved", search_query: "invoice", limit: 5 }), {
          method: "GET",
          path: "/conversations/messages/templates",
          query: [["status", "approved"], ["search_query", "invoice"], ["limit", "5"]]
        })
        const template = {
          phone: "+385911111111",
          template_keyword: "invoice",
          language: "en",
          tags: { "1": "INV-7" },
          button_tags: { "1": "invoices/7" },
          attachment: "https://cdn.example.test/inv-7.pdf",
          prevent_bot_off: true,
          agent_id: seeded.members.ada,
          live_inbox: false
        }
        yield* check("sendTemplateMessage", messages.sendTemplateMessage({ body: template }), {
          method: "POST",
          path: "/conversations/messages/templates/send",
          body: template
        })
        const message = { phone: "+385911111111", text: "On its way", prevent_bot_off: false, agent_id: seeded.members.bo, live_inbox: true }
        yield* check("sendMessage", messages.sendMessage({ body: message }), {
          method: "POST",
          path: "/conversations/messages/send",
          body: message
        })

        yield* check("listTeams", teams.listTeams({ member_id: seeded.members.bo, page: 1 }), {
          method: "GET",
          path: "/teams/teams",
          query: [["member_id", seeded.members.bo], ["page", "1"]]
        })
        yield* check("listTeamMembers", teams.listTeamMembers({ team_id: seeded.teams.sales }), {
          method: "GET",
          path: "/teams/members",
          query: [["team_id", seeded.teams.sales]]
        })

        yield* check("setChatbotActivity", automation.setChatbotActivity({ body: { conversation_id, active: true } }), {
          method: "PUT",
          path: "/automation/chatbot/activity",
          body: { conversation_id, active: true }
        })
        yield* check("getChatbotActivityStatus", automation.getChatbotActivityStatus({ conversation_id }), {
          method: "GET",
          path: "/automation/chatbot/activity/status",
          query: [["conversation_id", conversation_id]]
        })

        yield* check("rateLimitErrorTest", Effect.flip(rateLimit.rateLimitErrorTest()), { method: "GET", path: "/rate-limit/error-test" })
        yield* check("rateLimitRequestTest", rateLimit.rateLimitRequestTest(), { method: "GET", path: "/rate-limit/request-test" })
      }).pipe(Effect.provide(layer))

      expect([...seen].sort()).toEqual(Object.keys(operations).sort())
    }).pipe(Effect.scoped))

  it.effect("sends a media message by URL, without text", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const sent = yield* Sendbee.Messages.use((m) =>
        m.sendMessage({ body: { whatsapp_user_id: "HR.55", media_url: "https://cdn.example.test/photo.png" } })
      ).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      // Nobody with that WhatsApp id exists yet: the mock answers 404, but the request went out as given.
      expect(sent._tag).toBe("NotFound")
      const [request] = yield* mock.requests
      expect(request?.body).toEqual({ whatsapp_user_id: "HR.55", media_url: "https://cdn.example.test/photo.png" })
    }).pipe(Effect.scoped))
})
