/**
 * A Sendbee you can run on loopback: the operation registry routes and validates every request, and
 * this module gives the resources their behaviour. Contacts, tags, contact fields, conversations and
 * messages are kept in memory; message templates, teams and members are seeded.
 *
 * Like the real API it checks `X-Api-Key` and the timestamped `X-Auth-Token` (rejecting stale or
 * future tokens), answers errors as `{ error: { detail, type } }`, pages lists with `meta`, counts
 * 60 requests a minute and answers 429 with `Retry-After`, and adds a `warning` to a successful
 * answer when it ignored part of the request.
 *
 * Where the reference is silent the mock picks a plausible behaviour, documented on each handler:
 * the `type` codes of errors, timestamps as `YYYY-MM-DD HH:MM:SS` (message `sent_at` as Unix
 * seconds), a free-form message needing an existing contact, and the rejection of attachments that do
 * not fit a template's attachment kind.
 *
 * ```ts
 * const mock = yield* SendbeeMock.make({ pageSize: 5 })
 * Sendbee.layer.pipe(
 *   Layer.provide(Sendbee.layerAuth(SendbeeMock.demoCredentials)),
 *   Layer.provide(Sendbee.Endpoint.layer({ baseUrl: mock.url }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Clock, type Duration, Effect, type Scope } from "effect"
import { Signature } from "@vendor-sdk/core"
import { Mock, type Server, type State } from "@vendor-sdk/mock"
import { operations } from "./generated/operations.ts"
import { vendor } from "./generated/vendor.ts"

/** Options of the mock. */
export interface Options {
  readonly port?: number | undefined
  /** Items per page when a request sends no `limit`. Defaults to 15. */
  readonly pageSize?: number | undefined
  /** The API key and secret the mock accepts. Defaults to {@link demoCredentials}. */
  readonly credentials?: { readonly apiKey: string; readonly apiSecret: string } | undefined
  /** The oldest `X-Auth-Token` accepted. Defaults to 15 minutes. */
  readonly maxTokenAge?: Duration.Input | undefined
  /** Requests per minute before 429s. Defaults to 60. */
  readonly rateLimit?: number | undefined
}

/** The credentials the mock accepts by default. */
export const demoCredentials = { apiKey: "demo-api-key", apiSecret: "demo-api-secret" } as const

/** Ids of the seeded records. */
export const seeded = {
  tags: { vip: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0a01" },
  fields: { city: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0b01", plan: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0b02" },
  contact: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0c01",
  conversation: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0d01",
  templates: {
    welcome: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0e01",
    invoice: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0e02",
    promo: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0e03",
    legacy: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0e04"
  },
  teams: { support: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0f01", sales: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e0f02" },
  members: { ada: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e1001", bo: "0b6c3a52-7f4e-4d0e-9a39-5d3f1c0e1002" }
} as const

type Json = Record<string, any>

/** Sendbee's error `type` for a status; the real codes are not documented. */
const errorType = (status: number): string => {
  switch (status) {
    case 400:
    case 422:
      return "validation_error"
    case 401:
      return "authentication_error"
    case 403:
      return "permission_denied"
    case 404:
      return "not_found"
    case 429:
      return "rate_limit_exceeded"
    default:
      return status >= 500 ? "server_error" : "error"
  }
}

/** An error in Sendbee's shape: `{ error: { detail, type } }`, field problems folded into `detail`. */
export const sendbeeError = (status: number, message: string, fieldErrors: ReadonlyArray<Mock.FieldError> = []): Server.Reply => ({
  status,
  body: {
    error: {
      detail: fieldErrors.length === 0 ? message : `${message}: ${fieldErrors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
      type: errorType(status)
    }
  }
})

const ok = (body: unknown): Server.Reply => ({ status: 200, body })

/** `YYYY-MM-DD HH:MM:SS` in UTC, the format the Python client tries to parse. */
const timestamp = (millis: number) => new Date(millis).toISOString().slice(0, 19).replace("T", " ")

const includes = (haystack: unknown, needle: string) =>
  typeof haystack === "string" && haystack.toLowerCase().includes(needle.toLowerCase())

/** The media kinds a template attachment may be, with the extensions each takes. */
const attachmentExtensions: Readonly<Record<string, ReadonlyArray<string>>> = {
  image: ["jpg", "jpeg", "png"],
  video: ["mp4", "3gp", "3gpp"],
  document: ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx"]
}
const mediaExtensions: Readonly<Record<string, ReadonlyArray<string>>> = {
  ...attachmentExtensions,
  audio: ["aac", "m4a", "amr", "mp3", "ogg", "opus"]
}

const extension = (url: string) => {
  try {
    return new URL(url).pathname.split(".").pop()?.toLowerCase() ?? ""
  } catch {
    return ""
  }
}

const mediaType = (url: string) => Object.entries(mediaExtensions).find(([, exts]) => exts.includes(extension(url)))?.[0]

/** The mock's definition, for `Mock.make` or to extend with more handlers. */
export const definition = (options: Options = {}): Mock.Definition => {
  const defaultPageSize = options.pageSize ?? 15
  const credentials = options.credentials ?? demoCredentials

  const collections = (state: State.State) => ({
    contacts: state.collection<Json & { id: string }>("contacts", { ids: "uuid" }),
    tags: state.collection<Json & { id: string }>("tags", { ids: "uuid" }),
    fields: state.collection<Json & { id: string }>("fields", { ids: "uuid" }),
    conversations: state.collection<Json & { id: string }>("conversations", { ids: "uuid" }),
    messages: state.collection<Json & { id: string }>("messages", { ids: "uuid" }),
    templates: state.collection<Json & { id: string }>("templates", { ids: "uuid" }),
    teams: state.collection<Json & { id: string }>("teams", { ids: "uuid" }),
    members: state.collection<Json & { id: string }>("members", { ids: "uuid" })
  })

  /** One page in Sendbee's envelope: `data`, `meta` and `links`. */
  const pageOf = (url: string, path: string, items: ReadonlyArray<unknown>, params: Json, warning?: string): Server.Reply => {
    const perPage: number = params.limit ?? defaultPageSize
    const current: number = params.page ?? 1
    const total = items.length
    const lastPage = Math.max(1, Math.ceil(total / perPage))
    const data = items.slice((current - 1) * perPage, current * perPage)
    const from = data.length === 0 ? null : (current - 1) * perPage + 1
    const link = (n: number) => `${url}${path}?page=${n}`
    return ok({
      data,
      meta: { total, from, to: from === null ? null : from + data.length - 1, per_page: perPage, current_page: current, last_page: lastPage },
      links: {
        first: link(1),
        last: link(lastPage),
        next: current < lastPage ? link(current + 1) : null,
        prev: current > 1 ? link(current - 1) : null
      },
      ...(warning === undefined ? {} : { warning })
    })
  }

  const single = (data: unknown, warning?: string): Server.Reply => ok({ data, ...(warning === undefined ? {} : { warning }) })

  const tagView = (tag: Json) => ({ id: tag.id, name: tag.name, editable: true, disable_contact: false, icons: [] })

  const contactView = (state: State.State, contact: Json) => {
    const { tags } = collections(state)
    const { tagIds, ...rest } = contact
    return { ...rest, tags: (tagIds as Array<string>).flatMap((id) => tags.get(id) ?? []).map(tagView) }
  }

  const conversationView = (state: State.State, conversation: Json) => {
    const contact = collections(state).contacts.get(conversation.contactId)
    const { contactId: _, ...rest } = conversation
    return {
      ...rest,
      contact: contact === undefined
        ? null
        : { id: contact.id, name: contact.name, phone: contact.phone, whatsapp_user_id: contact.whatsapp_user_id }
    }
  }

  const messageView = ({ conversationId: _, ...message }: Json) => message

  const memberView = (state: State.State, member: Json) => {
    const { teamIds, ...rest } = member
    return {
      ...rest,
      teams: (teamIds as Array<string>).flatMap((id) => collections(state).teams.get(id) ?? []).map((t) => ({ id: t.id, name: t.name }))
    }
  }

  const teamView = (state: State.State, team: Json) => ({
    ...team,
    members: collections(state).members.list((m) => m.teamIds.includes(team.id)).map((m) => ({
      id: m.id,
      name: m.name,
      role: m.role,
      online: m.online,
      available: m.available
    }))
  })

  /** Tag ids for names, creating the tags that do not exist yet. */
  const tagIdsFor = (state: State.State, names: ReadonlyArray<string>) => {
    const { tags } = collections(state)
    return names.map((name) => (tags.list((t) => t.name === name)[0] ?? tags.insert({ name })).id)
  }

  /** Known field values, and a warning naming the unknown fields, which are ignored. */
  const fieldValues = (state: State.State, given: Json | undefined) => {
    const { fields } = collections(state)
    const known: Array<{ key: string; value: unknown }> = []
    const unknown: Array<string> = []
    for (const [key, value] of Object.entries(given ?? {})) {
      if (fields.list((f) => f.name === key).length > 0) known.push({ key, value })
      else unknown.push(key)
    }
    const warning = unknown.length === 0
      ? undefined
      : `Contact field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} do${unknown.length > 1 ? "" : "es"} not exist and ${unknown.length > 1 ? "were" : "was"} ignored`
    return { known, warning }
  }

  const mergeFields = (current: ReadonlyArray<{ key: string; value: unknown }>, next: ReadonlyArray<{ key: string; value: unknown }>) => [
    ...current.filter((c) => !next.some((n) => n.key === c.key)),
    ...next
  ]

  /** The contact a send call names: `phone` wins over `whatsapp_user_id`. */
  const recipient = (state: State.State, body: Json) => {
    const { contacts } = collections(state)
    if (typeof body.phone === "string") return contacts.list((c) => c.phone === body.phone)[0]
    if (typeof body.whatsapp_user_id === "string") return contacts.list((c) => c.whatsapp_user_id === body.whatsapp_user_id)[0]
    return undefined
  }

  const conversationOf = (state: State.State, contact: Json, now: number) => {
    const { conversations } = collections(state)
    return conversations.list((c) => c.contactId === contact.id)[0] ?? conversations.insert({
      folder: "open",
      chatbot_active: true,
      platform: "whatsapp",
      created_at: timestamp(now),
      last_message: null,
      contactId: contact.id
    })
  }

  /** Stores an outbound message; sending switches the chatbot off unless told not to. */
  const deliver = (state: State.State, conversation: Json, body: Json, text: string | undefined, media: string | undefined, now: number) => {
    const { conversations, messages } = collections(state)
    const message = messages.insert({
      conversationId: conversation.id,
      body: text ?? null,
      media_type: media === undefined ? null : mediaType(media) ?? null,
      media_url: media ?? null,
      status: "queued",
      direction: "outbound",
      sent_at: Math.floor(now / 1000),
      fail_reason: null,
      action: null,
      meta_data: null,
      from_user_id: body.agent_id ?? null,
      to_user_id: conversation.contactId
    })
    conversations.update(conversation.id, {
      chatbot_active: body.prevent_bot_off === true ? conversation.chatbot_active : false,
      last_message: { direction: "outbound", status: "queued", inbound_sent_at: conversation.last_message?.inbound_sent_at ?? null, outbound_sent_at: timestamp(now) }
    })
    return single({ id: conversation.id, message_id: message.id, message_reference_id: crypto.randomUUID(), status: "queued" })
  }

  const unknownAgent = (state: State.State, body: Json) =>
    typeof body.agent_id === "string" && collections(state).members.get(body.agent_id) === undefined

  const handlers: Record<string, Mock.Handler> = {
    // Contacts carrying any of the `tags`; the reference does not say whether all or any.
    listContacts: ({ params, state, url }) => {
      const { tags } = collections(state)
      const wanted: ReadonlyArray<string> = params.tags ?? []
      const found = collections(state).contacts.list((c) =>
        (wanted.length === 0 || c.tagIds.some((id: string) => wanted.includes(tags.get(id)?.name))) &&
        (params.status === undefined || c.status === params.status) &&
        (params.search_query === undefined || includes(c.name, params.search_query) || includes(c.phone, params.search_query))
      )
      return Effect.succeed(pageOf(url, "/contacts", found.map((c) => contactView(state, c)), params))
    },
    // Subscribing a phone number that is already a contact is refused; the real answer is not documented.
    subscribeContact: ({ error, params, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const body: Json = params.body
        const { contacts } = collections(state)
        if (contacts.list((c) => c.phone === body.phone).length > 0) return error(400, `A contact with phone ${body.phone} already exists`)
        const { known, warning } = fieldValues(state, body.contact_fields)
        const contact = contacts.insert({
          name: body.name ?? null,
          phone: body.phone,
          whatsapp_user_id: body.whatsapp_user_id ?? null,
          created_at: timestamp(now),
          modified_at: timestamp(now),
          has_messaging_consent: true,
          status: "subscribed",
          folder: "open",
          tagIds: tagIdsFor(state, body.tags ?? []),
          contact_fields: known,
          notes: (body.notes ?? []).map((value: string) => ({ id: crypto.randomUUID(), value }))
        })
        conversationOf(state, contact, now)
        return single(contactView(state, contact), warning)
      }),
    // Tags are added to the contact's, notes appended, field values overwritten.
    updateContact: ({ error, params, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const body: Json = params.body
        const { contacts } = collections(state)
        const contact = contacts.get(body.id)
        if (contact === undefined) return error(404, "Contact not found")
        const { known, warning } = fieldValues(state, body.contact_fields)
        const updated = contacts.update(body.id, {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.phone === undefined ? {} : { phone: body.phone }),
          ...(body.whatsapp_user_id === undefined ? {} : { whatsapp_user_id: body.whatsapp_user_id }),
          tagIds: [...new Set([...contact.tagIds, ...tagIdsFor(state, body.tags ?? [])])],
          contact_fields: mergeFields(contact.contact_fields, known),
          notes: [...contact.notes, ...(body.notes ?? []).map((value: string) => ({ id: crypto.randomUUID(), value }))],
          modified_at: timestamp(now)
        })!
        return single(contactView(state, updated), warning)
      }),

    listContactTags: ({ params, state, url }) =>
      Effect.succeed(pageOf(
        url,
        "/contacts/tags",
        collections(state).tags.list((t) => params.name === undefined || includes(t.name, params.name)).map(tagView),
        params
      )),
    createContactTag: ({ error, params, state }) => {
      const { tags } = collections(state)
      if (tags.list((t) => t.name === params.body.name).length > 0) return Effect.succeed(error(400, `Tag ${params.body.name} already exists`))
      return Effect.succeed(single(tagView(tags.insert({ name: params.body.name }))))
    },
    updateContactTag: ({ error, params, state }) => {
      const updated = collections(state).tags.update(params.body.id, { name: params.body.name })
      return Effect.succeed(updated === undefined ? error(404, "Tag not found") : single(tagView(updated)))
    },
    deleteContactTag: ({ error, params, state }) => {
      const { contacts, tags } = collections(state)
      if (!tags.remove(params.body.id)) return Effect.succeed(error(404, "Tag not found"))
      for (const contact of contacts.list((c) => c.tagIds.includes(params.body.id))) {
        contacts.update(contact.id, { tagIds: contact.tagIds.filter((id: string) => id !== params.body.id) })
      }
      return Effect.succeed(single({ message: "Tag deleted" }))
    },

    listContactFields: ({ params, state, url }) =>
      Effect.succeed(pageOf(
        url,
        "/contacts/fields",
        collections(state).fields.list((f) => params.search_query === undefined || includes(f.name, params.search_query)),
        params
      )),
    // A list field needs its options; other types keep none.
    createContactField: ({ error, params, state }) => {
      const body: Json = params.body
      const { fields } = collections(state)
      if (fields.list((f) => f.name === body.name).length > 0) return Effect.succeed(error(400, `Contact field ${body.name} already exists`))
      if (body.type === "list" && (body.options ?? []).length === 0) {
        return Effect.succeed(error(400, "Validation error", [{ path: "options", message: "a list field needs at least one option" }]))
      }
      return Effect.succeed(single(fields.insert({ name: body.name, type: body.type, options: body.type === "list" ? body.options : null })))
    },
    updateContactField: ({ error, params, state }) => {
      const body: Json = params.body
      const { fields } = collections(state)
      const current = fields.get(body.id)
      if (current === undefined) return Effect.succeed(error(404, "Contact field not found"))
      const options = body.type === "list" ? body.options ?? current.options : null
      if (body.type === "list" && (options ?? []).length === 0) {
        return Effect.succeed(error(400, "Validation error", [{ path: "options", message: "a list field needs at least one option" }]))
      }
      return Effect.succeed(single(fields.update(body.id, { name: body.name, type: body.type, options })))
    },
    deleteContactField: ({ error, params, state }) =>
      Effect.succeed(collections(state).fields.remove(params.body.id) ? single({ message: "Contact field deleted" }) : error(404, "Contact field not found")),

    // `date_from` / `date_to` compare with the date part of `created_at`; their format is unconfirmed.
    listConversations: ({ params, state, url }) => {
      const { contacts } = collections(state)
      const found = collections(state).conversations.list((c) => {
        const contact = contacts.get(c.contactId)
        const day = String(c.created_at).slice(0, 10)
        return (params.folder === undefined || c.folder === params.folder) &&
          (params.search_query === undefined || includes(contact?.name, params.search_query) || includes(contact?.phone, params.search_query)) &&
          (params.date_from === undefined || day >= params.date_from.slice(0, 10)) &&
          (params.date_to === undefined || day <= params.date_to.slice(0, 10))
      })
      return Effect.succeed(pageOf(url, "/conversations", found.map((c) => conversationView(state, c)), params))
    },
    getConversation: ({ error, params, state }) => {
      const conversation = collections(state).conversations.get(params.conversation_id)
      return Effect.succeed(conversation === undefined ? error(404, "Conversation not found") : single(conversationView(state, conversation)))
    },
    updateConversation: ({ error, params, state }) => {
      const { conversations } = collections(state)
      const body: Json = params.body
      if (conversations.get(body.conversation_id) === undefined) return Effect.succeed(error(404, "Conversation not found"))
      const updated = conversations.update(body.conversation_id, body.folder === undefined ? {} : { folder: body.folder })!
      return Effect.succeed(single(conversationView(state, updated)))
    },

    listMessages: ({ error, params, state, url }) => {
      if (collections(state).conversations.get(params.conversation_id) === undefined) {
        return Effect.succeed(error(404, "Conversation not found"))
      }
      const found = collections(state).messages.list((m) => m.conversationId === params.conversation_id).map(messageView)
      return Effect.succeed(pageOf(url, "/conversations/messages", found, params))
    },
    // A free-form message goes to an existing contact only: WhatsApp allows those inside a conversation.
    sendMessage: ({ error, params, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const body: Json = params.body
        if (body.phone === undefined && body.whatsapp_user_id === undefined) {
          return error(400, "Validation error", [{ path: "phone", message: "phone or whatsapp_user_id is required" }])
        }
        if (body.text === undefined && body.media_url === undefined) {
          return error(400, "Validation error", [{ path: "text", message: "text or media_url is required" }])
        }
        if (body.media_url !== undefined && mediaType(body.media_url) === undefined) {
          return error(400, "Validation error", [{ path: "media_url", message: "unsupported media format" }])
        }
        if (unknownAgent(state, body)) return error(400, "Validation error", [{ path: "agent_id", message: "unknown agent" }])
        const contact = recipient(state, body)
        if (contact === undefined) return error(404, "Contact not found")
        return deliver(state, conversationOf(state, contact, now), body, body.text, body.media_url, now)
      }),
    // A template may start a conversation, so an unknown phone number becomes a contact.
    sendTemplateMessage: ({ error, params, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const body: Json = params.body
        if (body.phone === undefined && body.whatsapp_user_id === undefined) {
          return error(400, "Validation error", [{ path: "phone", message: "phone or whatsapp_user_id is required" }])
        }
        const template = collections(state).templates.list((t) => t.keyword === body.template_keyword && t.language === body.language)[0]
        if (template === undefined) return error(404, `Message template ${body.template_keyword} (${body.language}) not found`)
        if (template.status !== "approved") return error(400, `Message template ${body.template_keyword} is ${template.status}`)
        const kind: string | null = template.attachment
        if (body.attachment !== undefined) {
          if (kind === null) return error(400, "Validation error", [{ path: "attachment", message: "this template takes no attachment" }])
          if (!attachmentExtensions[kind]!.includes(extension(body.attachment))) {
            return error(400, "Validation error", [{
              path: "attachment",
              message: `this template takes a ${kind} (${attachmentExtensions[kind]!.join(", ").toUpperCase()})`
            }])
          }
        }
        const values: Json = body.tags ?? {}
        const missing = (template.tags as Array<{ name: string }>).filter((tag) => values[tag.name] === undefined)
        if (missing.length > 0) {
          return error(400, "Validation error", missing.map((tag) => ({ path: `tags.${tag.name}`, message: "missing value" })))
        }
        if (unknownAgent(state, body)) return error(400, "Validation error", [{ path: "agent_id", message: "unknown agent" }])
        const { contacts } = collections(state)
        const contact = recipient(state, body) ?? contacts.insert({
          name: null,
          phone: body.phone ?? null,
          whatsapp_user_id: body.phone === undefined ? body.whatsapp_user_id : null,
          created_at: timestamp(now),
          modified_at: timestamp(now),
          has_messaging_consent: true,
          status: "subscribed",
          folder: "open",
          tagIds: [],
          contact_fields: [],
          notes: []
        })
        const text = String(template.text).replace(/\{\{([^}]+)\}\}/g, (_, name: string) => String(values[name]))
        return deliver(state, conversationOf(state, contact, now), body, text, body.attachment, now)
      }),

    listMessageTemplates: ({ params, state, url }) =>
      Effect.succeed(pageOf(
        url,
        "/conversations/messages/templates",
        collections(state).templates.list((t) =>
          (params.status === undefined || t.status === params.status) &&
          (params.search_query === undefined || includes(t.keyword, params.search_query) || includes(t.text, params.search_query))
        ),
        params
      )),

    listTeams: ({ params, state, url }) => {
      const member = params.member_id === undefined ? undefined : collections(state).members.get(params.member_id)
      const found = collections(state).teams.list((t) => params.member_id === undefined || (member?.teamIds ?? []).includes(t.id))
      return Effect.succeed(pageOf(url, "/teams/teams", found.map((t) => teamView(state, t)), params))
    },
    listTeamMembers: ({ params, state, url }) => {
      const found = collections(state).members.list((m) => params.team_id === undefined || m.teamIds.includes(params.team_id))
      return Effect.succeed(pageOf(url, "/teams/members", found.map((m) => memberView(state, m)), params))
    },

    setChatbotActivity: ({ error, params, state }) => {
      const body: Json = params.body
      const updated = collections(state).conversations.update(body.conversation_id, { chatbot_active: body.active })
      return Effect.succeed(
        updated === undefined ? error(404, "Conversation not found") : single({ message: `Chatbot turned ${body.active ? "on" : "off"}` })
      )
    },
    getChatbotActivityStatus: ({ error, params, state }) => {
      const conversation = collections(state).conversations.get(params.conversation_id)
      return Effect.succeed(
        conversation === undefined
          ? error(404, "Conversation not found")
          : single({ conversation_id: conversation.id, chatbot_active: conversation.chatbot_active })
      )
    },

    // The test endpoint answers the rate-limit error itself, so a client can exercise its handling.
    rateLimitErrorTest: ({ error }) =>
      Effect.succeed({ ...error(429, "API rate limit exceeded (test)"), headers: { "Retry-After": "60" } }),
    rateLimitRequestTest: () => Effect.succeed(single({ detail: "Request counted against the rate limit", error: false, type: "ok" }))
  }

  const maxAge = options.maxTokenAge ?? "15 minutes"

  return {
    vendor,
    operations,
    error: sendbeeError,
    authenticate: (request) =>
      Effect.gen(function*() {
        if (!Signature.equal(request.headers["x-api-key"] ?? "", credentials.apiKey)) return sendbeeError(401, "Invalid API key")
        const checked = yield* Effect.result(Signature.verifyTimestampToken({
          vendor: "sendbee",
          secret: credentials.apiSecret,
          token: request.headers["x-auth-token"],
          maxAge
        }))
        return checked._tag === "Failure" ? sendbeeError(401, `Invalid auth token: ${checked.failure.message}`) : undefined
      }),
    rateLimit: {
      limit: options.rateLimit ?? 60,
      window: "1 minute",
      headers: ({ limit, remaining, resetAt }) => ({
        "X-RateLimit-Limit": String(limit),
        "X-RateLimit-Remaining": String(remaining),
        "X-RateLimit-Reset": String(Math.ceil(resetAt / 1000))
      })
    },
    handlers,
    seed: (state) => {
      const { contacts, conversations, fields, members, messages, tags, teams, templates } = collections(state)
      tags.insert({ id: seeded.tags.vip, name: "vip" })
      fields.insert({ id: seeded.fields.city, name: "City", type: "text", options: null })
      fields.insert({ id: seeded.fields.plan, name: "Plan", type: "list", options: ["free", "pro"] })
      contacts.insert({
        id: seeded.contact,
        name: "Ana Horvat",
        phone: "+385911111111",
        whatsapp_user_id: null,
        created_at: "2024-03-01 09:00:00",
        modified_at: "2024-03-01 09:00:00",
        has_messaging_consent: true,
        status: "subscribed",
        folder: "open",
        tagIds: [seeded.tags.vip],
        contact_fields: [{ key: "City", value: "Zagreb" }],
        notes: []
      })
      conversations.insert({
        id: seeded.conversation,
        folder: "open",
        chatbot_active: true,
        platform: "whatsapp",
        created_at: "2024-03-01 09:00:00",
        last_message: { direction: "inbound", status: "received", inbound_sent_at: "2024-03-01 09:05:00", outbound_sent_at: null },
        contactId: seeded.contact
      })
      for (const [i, text] of ["Hi!", "Is my order on its way?"].entries()) {
        messages.insert({
          conversationId: seeded.conversation,
          body: text,
          media_type: null,
          media_url: null,
          status: "received",
          direction: "inbound",
          sent_at: 1_709_283_600 + i * 60,
          fail_reason: null,
          action: null,
          meta_data: null,
          from_user_id: seeded.contact,
          to_user_id: null
        })
      }
      const template = (id: string, keyword: string, status: string, attachment: string | null, text: string, extra: Json = {}) =>
        templates.insert({
          id,
          keyword,
          name: keyword,
          category: "UTILITY",
          language: "en",
          text,
          status,
          rejected_reason: null,
          attachment,
          tags: [...text.matchAll(/\{\{([^}]+)\}\}/g)].map((m) => ({ name: m[1]! })),
          button_tags: [],
          buttons: [],
          ...extra
        })
      template(seeded.templates.welcome, "welcome", "approved", null, "Welcome {{1}}! How can we help you?")
      template(seeded.templates.invoice, "invoice", "approved", "document", "Your invoice {{1}} is attached.")
      template(seeded.templates.promo, "promo", "pending", "image", "This week only: {{1}}")
      template(seeded.templates.legacy, "legacy", "rejected", null, "Old offer", { rejected_reason: "Promotional content in a utility template" })
      teams.insert({ id: seeded.teams.support, name: "Support" })
      teams.insert({ id: seeded.teams.sales, name: "Sales" })
      members.insert({ id: seeded.members.ada, name: "Ada Agent", role: "owner", online: true, available: true, teamIds: [seeded.teams.support] })
      members.insert({
        id: seeded.members.bo,
        name: "Bo Builder",
        role: "agent",
        online: false,
        available: false,
        teamIds: [seeded.teams.support, seeded.teams.sales]
      })
    }
  }
}

/** Starts the Sendbee mock on loopback for the lifetime of the scope. */
export const make = (options: Options = {}): Effect.Effect<Mock.Mock, never, Scope.Scope> =>
  Mock.make(definition(options), { port: options.port })
