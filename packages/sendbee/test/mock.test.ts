/**
 * The Sendbee mock keeps state across calls: contacts with their tags, fields and notes, tags and
 * fields CRUD, conversations and their messages, the chatbot switch, templates with attachment
 * kinds, teams and members. It validates requests against the spec and answers in Sendbee's shape.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { Sendbee } from "@vendor-sdk/sendbee"
import { seeded } from "@vendor-sdk/sendbee/mock"
import { setup } from "./support.ts"

const noRetry = { retry: Sendbee.Retry.disabled }

describe("mock: contacts, tags and fields", () => {
  it.effect("subscribes, filters and updates contacts: tags created on the fly, notes appended, fields overwritten", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const contacts = yield* Sendbee.Contacts
        const { data: ivo } = yield* contacts.subscribeContact({
          body: { phone: "+385940000001", name: "Ivo", tags: ["lead"], notes: ["first"], contact_fields: { City: "Split" } }
        })
        expect(ivo.status).toBe("subscribed")
        expect(ivo.tags?.map((t) => t.name)).toEqual(["lead"])
        const leads = yield* contacts.listContacts({ tags: ["lead"] })
        expect(leads.data.map((c) => c.name)).toEqual(["Ivo"])
        const vipOrLead = yield* contacts.listContacts({ tags: ["vip", "lead"], status: "subscribed" })
        expect(vipOrLead.data.map((c) => c.name)).toEqual(["Ana Horvat", "Ivo"])
        expect((yield* contacts.listContacts({ search_query: "horv" })).data.map((c) => c.id)).toEqual([seeded.contact])
        expect((yield* contacts.listContacts({ status: "unsubscribed" })).data).toEqual([])

        const { data: updated } = yield* contacts.updateContact({
          body: { id: ivo.id, name: "Ivo K", tags: ["vip"], notes: ["second"], contact_fields: { City: "Zadar", Plan: "pro" } }
        })
        expect(updated.name).toBe("Ivo K")
        expect(updated.tags?.map((t) => t.name)).toEqual(["lead", "vip"])
        expect(updated.notes?.map((n) => n.value)).toEqual(["first", "second"])
        expect(updated.contact_fields).toEqual([{ key: "City", value: "Zadar" }, { key: "Plan", value: "pro" }])

        const duplicate = yield* Effect.flip(contacts.subscribeContact({ body: { phone: "+385940000001" } }))
        expect(duplicate._tag).toBe("ValidationError")
        const missing = yield* Effect.flip(contacts.updateContact({ body: { id: crypto.randomUUID(), name: "x" } }))
        expect(missing._tag).toBe("NotFound")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("creates, renames and deletes tags; a deleted tag leaves the contacts carrying it", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const tags = yield* Sendbee.ContactTags
        const { data: tag } = yield* tags.createContactTag({ body: { name: "newsletter" } })
        expect((yield* Effect.flip(tags.createContactTag({ body: { name: "newsletter" } })))._tag).toBe("ValidationError")
        yield* tags.updateContactTag({ body: { id: tag.id, name: "news" } })
        expect((yield* tags.listContactTags({ name: "NEW" })).data.map((t) => t.name)).toEqual(["news"])
        expect(yield* tags.deleteContactTag({ body: { id: seeded.tags.vip } })).toEqual({ data: { message: "Tag deleted" } })
        const ana = (yield* Sendbee.Contacts.use((c) => c.listContacts({ search_query: "Ana" }))).data[0]
        expect(ana?.tags).toEqual([])
        expect((yield* tags.listContactTagsStream().pipe(Stream.map((t) => t.name), Stream.runCollect))).toEqual(["news"])
        expect((yield* Effect.flip(tags.deleteContactTag({ body: { id: seeded.tags.vip } })))._tag).toBe("NotFound")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("keeps options for list fields only, and requires them there", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const fields = yield* Sendbee.ContactFields
        const { data: tier } = yield* fields.createContactField({ body: { name: "Tier", type: "list", options: ["gold", "silver"] } })
        expect(tier).toMatchObject({ name: "Tier", type: "list", options: ["gold", "silver"] })
        const { data: age } = yield* fields.createContactField({ body: { name: "Age", type: "number", options: ["ignored"] } })
        expect(age.options).toBeNull()
        const { data: changed } = yield* fields.updateContactField({
          body: { id: tier.id, name: "Tier", type: "list", options: ["gold", "silver", "bronze"] }
        })
        expect(changed.options).toEqual(["gold", "silver", "bronze"])
        const { data: text } = yield* fields.updateContactField({ body: { id: tier.id, name: "Tier", type: "text" } })
        expect(text.options).toBeNull()
        const noOptions = yield* Effect.flip(fields.updateContactField({ body: { id: age.id, name: "Age", type: "list" } }))
        expect(noOptions._tag).toBe("ValidationError")
        expect((yield* fields.listContactFields({ search_query: "I" })).data.map((f) => f.name)).toEqual(["City", "Tier"])
        yield* fields.deleteContactField({ body: { id: age.id } })
        expect((yield* Effect.flip(fields.deleteContactField({ body: { id: age.id } })))._tag).toBe("NotFound")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("mock: conversations, messages and the chatbot", () => {
  it.effect("files conversations in folders and finds them by folder, text and date", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const conversations = yield* Sendbee.Conversations
        const { data } = yield* conversations.getConversation({ conversation_id: seeded.conversation })
        expect(data.contact?.name).toBe("Ana Horvat")
        expect(data.folder).toBe("open")
        const { data: done } = yield* conversations.updateConversation({ body: { conversation_id: seeded.conversation, folder: "done" } })
        expect(done.folder).toBe("done")
        expect((yield* conversations.listConversations({ folder: "open" })).data).toEqual([])
        expect((yield* conversations.listConversations({ folder: "done", search_query: "ana" })).data.length).toBe(1)
        expect((yield* conversations.listConversations({ date_from: "2024-03-02" })).data).toEqual([])
        expect((yield* conversations.listConversations({ date_from: "2024-03-01", date_to: "2024-03-01" })).data.length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("sends text and media; sending switches the chatbot off unless prevent_bot_off", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const messages = yield* Sendbee.Messages
        const automation = yield* Sendbee.Automation
        const conversation_id = seeded.conversation
        const chatbot = Effect.map(automation.getChatbotActivityStatus({ conversation_id }), (r) => r.data.chatbot_active)

        expect(yield* chatbot).toBe(true)
        const kept = yield* messages.sendMessage({ body: { phone: "+385911111111", text: "Bot stays", prevent_bot_off: true } })
        // The send result's id is the conversation's, not the message's.
        expect(kept.data.id).toBe(conversation_id)
        expect(kept.data.message_id).not.toBe(conversation_id)
        expect(yield* chatbot).toBe(true)
        yield* messages.sendMessage({ body: { phone: "+385911111111", media_url: "https://cdn.example.test/p.png" } })
        expect(yield* chatbot).toBe(false)
        expect(yield* automation.setChatbotActivity({ body: { conversation_id, active: true } })).toEqual({
          data: { message: "Chatbot turned on" }
        })
        expect(yield* chatbot).toBe(true)

        const all = yield* messages.listMessagesStream({ conversation_id }).pipe(Stream.runCollect)
        expect(all.map((m) => [m.direction, m.body, m.media_type])).toEqual([
          ["inbound", "Hi!", null],
          ["inbound", "Is my order on its way?", null],
          ["outbound", "Bot stays", null],
          ["outbound", null, "image"]
        ])

        const nobody = yield* Effect.flip(messages.sendMessage({ body: { phone: "+10000000000", text: "?" } }))
        expect(nobody._tag).toBe("NotFound")
        const empty = yield* Effect.flip(messages.sendMessage({ body: { phone: "+385911111111" } }))
        expect(empty._tag === "ValidationError" && empty.message).toBe("Validation error: text: text or media_url is required")
        const noRecipient = yield* Effect.flip(messages.sendMessage({ body: { text: "to whom?" } }))
        expect(noRecipient._tag).toBe("ValidationError")
        expect((yield* Effect.flip(automation.getChatbotActivityStatus({ conversation_id: crypto.randomUUID() })))._tag).toBe("NotFound")
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("lists templates by status with their attachment kinds, and checks template sends against them", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const templates = yield* Sendbee.MessageTemplates
        const messages = yield* Sendbee.Messages
        const approved = yield* templates.listMessageTemplates({ status: "approved" })
        expect(approved.data.map((t) => [t.keyword, t.attachment])).toEqual([["welcome", null], ["invoice", "document"]])
        const rejected = (yield* templates.listMessageTemplates({ status: "rejected" })).data[0]
        expect(rejected?.rejected_reason).toBe("Promotional content in a utility template")
        expect((yield* templates.listMessageTemplates({ status: "pending" })).data.map((t) => [t.keyword, t.attachment])).toEqual([
          ["promo", "image"]
        ])

        const send = (body: Sendbee.SendTemplateMessageRequest) => Effect.flip(messages.sendTemplateMessage({ body }))
        const base = { phone: "+385950000001", language: "en" }
        expect((yield* send({ ...base, template_keyword: "welcome", tags: { "1": "Ivo" }, attachment: "https://x.test/a.png" })).message)
          .toBe("Validation error: attachment: this template takes no attachment")
        expect((yield* send({ ...base, template_keyword: "invoice", tags: { "1": "7" }, attachment: "https://x.test/a.png" })).message)
          .toBe("Validation error: attachment: this template takes a document (PDF, DOC, DOCX, PPT, PPTX, XLS, XLSX)")
        expect((yield* send({ ...base, template_keyword: "welcome" })).message).toBe("Validation error: tags.1: missing value")
        expect((yield* send({ ...base, template_keyword: "promo", tags: { "1": "x" } })).message).toBe("Message template promo is pending")
        expect((yield* send({ ...base, template_keyword: "welcome", language: "de", tags: { "1": "x" } }))._tag).toBe("NotFound")

        // A template may open a conversation with a new number.
        const sent = yield* messages.sendTemplateMessage({
          body: { ...base, template_keyword: "invoice", tags: { "1": "INV-7" }, attachment: "https://cdn.example.test/inv-7.PDF" }
        })
        const [message] = yield* messages.listMessagesStream({ conversation_id: sent.data.id! }).pipe(Stream.runCollect)
        expect([message?.body, message?.media_type, message?.media_url]).toEqual([
          "Your invoice INV-7 is attached.",
          "document",
          "https://cdn.example.test/inv-7.PDF"
        ])
        const contact = (yield* Sendbee.Contacts.use((c) => c.listContacts({ search_query: "+385950000001" }))).data
        expect(contact.length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("lists teams with members, filtered by member, and members filtered by team", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      yield* Effect.gen(function*() {
        const teams = yield* Sendbee.Teams
        const all = yield* teams.listTeams()
        expect(all.data.map((t) => [t.name, t.members?.map((m) => m.name)])).toEqual([
          ["Support", ["Ada Agent", "Bo Builder"]],
          ["Sales", ["Bo Builder"]]
        ])
        expect((yield* teams.listTeams({ member_id: seeded.members.ada })).data.map((t) => t.name)).toEqual(["Support"])
        const sales = yield* teams.listTeamMembers({ team_id: seeded.teams.sales })
        expect(sales.data.map((m) => [m.name, m.teams?.map((t) => t.name)])).toEqual([["Bo Builder", ["Support", "Sales"]]])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("mock: the wire", () => {
  it.effect("validates raw requests against the spec and answers in Sendbee's error shape", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      const [invalid, unknown] = yield* Effect.gen(function*() {
        const client = yield* Sendbee.Client
        // Sent around the client's own validation, as another client might.
        const invalid = yield* client.send(
          "subscribeContact",
          HttpClientRequest.post(`${mock.url}/contacts/subscribe`).pipe(HttpClientRequest.bodyJsonUnsafe({ name: 42 }))
        )
        const unknown = yield* client.send("nowhere", HttpClientRequest.get(`${mock.url}/contacts/nowhere`))
        return [invalid, unknown] as const
      }).pipe(Effect.provide(layer))
      expect(invalid.status).toBe(400)
      expect(invalid.body).toMatchObject({ error: { type: "validation_error" } })
      const detail = (invalid.body as { error: { detail: string } }).error.detail
      expect(detail).toContain("body.phone")
      expect(detail).toContain("body.name")
      expect(unknown.status).toBe(404)
      expect(unknown.body).toEqual({ error: { detail: "No route for GET /contacts/nowhere", type: "not_found" } })
    }).pipe(Effect.scoped))
})
