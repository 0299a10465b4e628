/**
 * A Help Scout you can run on loopback: the operation registry routes and validates every request,
 * and this module gives the main resources their behaviour. Customers, conversations, threads,
 * mailboxes, tags, users and webhooks are kept in memory; the other operations answer with
 * schema-valid examples.
 *
 * Like the real API it issues and rotates OAuth tokens, rejects unknown bearers with 401, answers
 * errors as `application/vnd.error+json`, pages lists HAL-style and counts writes double against a
 * per-minute budget, answering 429 with `X-RateLimit-Retry-After`.
 *
 * ```ts
 * const mock = yield* HelpScoutMock.make({ pageSize: 10 })
 * // point the client at it
 * HelpScout.Endpoint.layer({ baseUrl: mock.url })
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Effect, type Scope } from "effect"
import { Mock, type Server, State } from "@vendor-sdk/mock"
import { operations } from "./generated/operations.ts"
import { vendor } from "./generated/vendor.ts"

/** Options of the mock. */
export interface Options {
  readonly port?: number | undefined
  /** Items per page of every list. Defaults to 25. */
  readonly pageSize?: number | undefined
  /** OAuth applications the token endpoint accepts. Defaults to one `demo-app` / `demo-secret`. */
  readonly clients?: ReadonlyArray<{ readonly id: string; readonly secret: string }> | undefined
  /** Lifetime of issued access tokens in seconds. Defaults to 7200. */
  readonly tokenLifetime?: number | undefined
  /** Requests per minute before 429s; writes count double. Defaults to 400. */
  readonly rateLimit?: number | undefined
  /** Bearer tokens accepted without an OAuth exchange (personal tokens). */
  readonly staticTokens?: ReadonlyArray<string> | undefined
}

/** The demo application the mock knows by default. */
export const demoClient = { id: "demo-app", secret: "demo-secret" } as const

type Json = Record<string, any>

const iso = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")

const halList = (
  url: string,
  path: string,
  rel: string,
  items: ReadonlyArray<unknown>,
  pageNumber: number,
  size: number
): Json => {
  const { items: slice, totalElements, totalPages } = State.page(items, pageNumber, size)
  const link = (n: number) => ({ href: `${url}${path}?page=${n}` })
  return {
    ...(slice.length === 0 ? {} : { _embedded: { [rel]: slice } }),
    page: { size, totalElements, totalPages, number: pageNumber },
    _links: {
      self: link(pageNumber),
      first: link(1),
      ...(totalPages > 0 ? { last: link(totalPages) } : {}),
      ...(pageNumber < totalPages ? { next: link(pageNumber + 1) } : {}),
      ...(pageNumber > 1 ? { previous: link(pageNumber - 1) } : {}),
      page: { href: `${url}${path}{?page}`, templated: true }
    }
  }
}

const vndError = (status: number, message: string, fieldErrors: ReadonlyArray<Mock.FieldError>): Server.Reply => ({
  status,
  contentType: "application/vnd.error+json",
  body: {
    logRef: `mock-${status}-${Math.abs(hash(message)).toString(16)}`,
    message,
    ...(fieldErrors.length === 0 ? {} : { _embedded: { errors: fieldErrors.map((e) => ({ path: e.path, message: e.message })) } })
  }
})

const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)

const withoutUndefined = (value: Json): Json =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))

const created = (id: number | string): Server.Reply => ({ status: 201, headers: { "Resource-ID": String(id) } })
const noContent: Server.Reply = { status: 204 }
const ok = (body: unknown): Server.Reply => ({ status: 200, body })

/** The mock's definition, for `Mock.make` or to extend with more handlers. */
export const definition = (options: Options = {}): Mock.Definition => {
  const size = options.pageSize ?? 25
  const clients = options.clients ?? [demoClient]
  const lifetime = options.tokenLifetime ?? 7200
  const staticTokens = new Set(options.staticTokens ?? [])

  const collections = (state: State.State) => ({
    customers: state.collection<Json & { id: number }>("customers", { start: 100 }),
    conversations: state.collection<Json & { id: number }>("conversations", { start: 1000 }),
    threads: state.collection<Json & { id: number }>("threads", { start: 5000 }),
    mailboxes: state.collection<Json & { id: number }>("mailboxes"),
    users: state.collection<Json & { id: number }>("users"),
    tags: state.collection<Json & { id: number }>("tags"),
    webhooks: state.collection<Json & { id: number }>("webhooks"),
    tokens: state.collection<Json & { id: string; expiresAt: number }>("tokens", { ids: "uuid" }),
    refreshTokens: state.collection<Json & { id: string; client: string }>("refresh-tokens", { ids: "uuid" })
  })

  const issue = (state: State.State, client: string, withRefresh: boolean) =>
    Effect.map(Clock.currentTimeMillis, (now): Server.Reply => {
      const { refreshTokens, tokens } = collections(state)
      const access = `hs-access-${crypto.randomUUID()}`
      tokens.insert({ id: access, access, expiresAt: now + lifetime * 1000 })
      const refresh = withRefresh ? refreshTokens.insert({ client }).id : undefined
      return ok({
        access_token: access,
        token_type: "bearer",
        expires_in: lifetime,
        ...(refresh === undefined ? {} : { refresh_token: refresh })
      })
    })

  const token: Mock.Handler = ({ error, request, state }) => {
    const body = (request.body ?? {}) as Json
    const client = clients.find((c) => c.id === body.client_id && c.secret === body.client_secret)
    if (client === undefined) return Effect.succeed(error(401, "Invalid client credentials"))
    switch (body.grant_type) {
      case "client_credentials":
        return issue(state, client.id, false)
      case "authorization_code":
        return typeof body.code === "string" && body.code.length > 0
          ? issue(state, client.id, true)
          : Effect.succeed(error(400, "Invalid authorization code"))
      case "refresh_token": {
        const { refreshTokens } = collections(state)
        const known = refreshTokens.get(String(body.refresh_token))
        if (known === undefined || known.client !== client.id) {
          return Effect.succeed(error(400, "Invalid refresh token"))
        }
        // Refresh tokens rotate: the one just used stops working.
        refreshTokens.remove(known.id)
        return issue(state, client.id, true)
      }
      default:
        return Effect.succeed(error(400, `Unsupported grant_type ${body.grant_type}`))
    }
  }

  const links = (url: string, path: string, rels: Record<string, string> = {}) => ({
    _links: { self: { href: `${url}${path}` }, ...Object.fromEntries(Object.entries(rels).map(([k, v]) => [k, { href: `${url}${v}` }])) }
  })

  const conversationView = (url: string, state: State.State, conversation: Json, embedThreads: boolean): Json => {
    const { threads } = collections(state)
    const own = threads.list((t) => t.conversationId === conversation.id).map(({ conversationId: _, ...thread }) => thread)
    return {
      ...conversation,
      threads: own.length,
      ...(embedThreads ? { _embedded: { threads: own } } : {}),
      ...links(url, `/v2/conversations/${conversation.id}`, {
        threads: `/v2/conversations/${conversation.id}/threads`,
        mailbox: `/v2/mailboxes/${conversation.mailboxId}`
      })
    }
  }

  const addThread = (state: State.State, conversationId: number, type: string, body: Json, now: number) => {
    const { threads } = collections(state)
    const { attachments: _, text, user, customer, ...rest } = body
    return threads.insert({
      ...rest,
      conversationId,
      type,
      status: body.status ?? "active",
      state: body.draft === true ? "draft" : "published",
      body: text,
      ...(customer === undefined ? {} : { customer: withoutUndefined({ id: customer.id, email: customer.email }) }),
      createdBy: user === undefined ? { type: "customer", id: customer?.id ?? 0 } : { type: "user", id: user },
      createdAt: body.createdAt ?? iso(now)
    })
  }

  const threadCreator = (type: string): Mock.Handler => ({ error, params, request, state }) =>
    Effect.gen(function*() {
      const { conversations } = collections(state)
      if (conversations.get(params.conversationId) === undefined) return error(404, "Conversation not found")
      const now = yield* Clock.currentTimeMillis
      const thread = addThread(state, params.conversationId, type, (request.body ?? {}) as Json, now)
      conversations.update(params.conversationId, { userUpdatedAt: iso(now) })
      return created(thread.id)
    })

  const patchConversation = (patch: (conversation: Json, body: Json) => Json): Mock.Handler =>
  ({ error, params, request, state }) =>
    Effect.gen(function*() {
      const { conversations } = collections(state)
      const conversation = conversations.get(params.conversationId)
      if (conversation === undefined) return error(404, "Conversation not found")
      const now = yield* Clock.currentTimeMillis
      conversations.update(params.conversationId, { ...patch(conversation, (request.body ?? {}) as Json), userUpdatedAt: iso(now) })
      return noContent
    })

  const entryList = (rel: string, key: string): Mock.Handler => ({ error, params, state, url }) => {
    const customer = collections(state).customers.get(params.customerId)
    if (customer === undefined) return Effect.succeed(error(404, "Customer not found"))
    return Effect.succeed(ok({
      _embedded: { [rel]: customer._embedded?.[key] ?? [] },
      ...links(url, `/v2/customers/${params.customerId}/${rel}`)
    }))
  }

  const entryCreate = (key: string): Mock.Handler => ({ error, params, request, state }) => {
    const { customers } = collections(state)
    const customer = customers.get(params.customerId)
    if (customer === undefined) return Effect.succeed(error(404, "Customer not found"))
    const entries: Array<Json> = customer._embedded?.[key] ?? []
    const id = entries.reduce((max, e) => Math.max(max, e.id), 0) + 1
    customers.update(params.customerId, {
      _embedded: { ...customer._embedded, [key]: [...entries, { id, ...(request.body as Json) }] }
    })
    return Effect.succeed(created(id))
  }

  const handlers: Record<string, Mock.Handler> = {
    requestToken: token,
    requestTokenClientCredentials: token,
    requestTokenAuthorizationCode: token,
    refreshAccessToken: token,

    listMailboxes: ({ params, state, url }) =>
      Effect.succeed(ok(halList(url, "/v2/mailboxes", "mailboxes", collections(state).mailboxes.list(), params.page ?? 1, size))),
    getMailbox: ({ error, params, state, url }) => {
      const mailbox = collections(state).mailboxes.get(params.mailboxId)
      return Effect.succeed(
        mailbox === undefined ? error(404, "Mailbox not found") : ok({
          ...mailbox,
          ...links(url, `/v2/mailboxes/${mailbox.id}`, {
            fields: `/v2/mailboxes/${mailbox.id}/fields`,
            folders: `/v2/mailboxes/${mailbox.id}/folders`
          })
        })
      )
    },
    listMailboxFolders: ({ params, url }) =>
      Effect.succeed(ok({
        _embedded: {
          folders: [
            { id: 1, name: "Unassigned", type: "open", totalCount: 0, activeCount: 0 },
            { id: 2, name: "Mine", type: "mytickets", totalCount: 0, activeCount: 0 }
          ]
        },
        ...links(url, `/v2/mailboxes/${params.mailboxId}/folders`)
      })),

    listUsers: ({ params, state, url }) =>
      Effect.succeed(ok(halList(
        url,
        "/v2/users",
        "users",
        collections(state).users.list((u) => params.email === undefined || u.email === params.email),
        params.page ?? 1,
        size
      ))),
    getUser: ({ error, params, state }) => {
      const user = collections(state).users.get(params.userId)
      return Effect.succeed(user === undefined ? error(404, "User not found") : ok(user))
    },
    getAuthenticatedUser: ({ state }) => Effect.succeed(ok(collections(state).users.list()[0])),

    listTags: ({ params, state, url }) =>
      Effect.succeed(ok(halList(url, "/v2/tags", "tags", collections(state).tags.list(), params.page ?? 1, size))),

    listCustomers: ({ params, state, url }) => {
      const query = (params.query as string | undefined)?.toLowerCase()
      const found = collections(state).customers.list((c) =>
        (params.firstName === undefined || c.firstName === params.firstName) &&
        (params.lastName === undefined || c.lastName === params.lastName) &&
        (query === undefined || JSON.stringify(c).toLowerCase().includes(query))
      )
      return Effect.succeed(ok(halList(url, "/v2/customers", "customers", found, params.page ?? 1, size)))
    },
    createCustomer: ({ request, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const { emails = [], phones = [], websites = [], chats = [], socialProfiles = [], address, email, phone, ...rest } =
          (request.body ?? {}) as Json
        const entries = (list: Array<Json>) => list.map((entry, i) => ({ id: i + 1, ...entry }))
        const customer = collections(state).customers.insert({
          ...rest,
          createdAt: iso(now),
          updatedAt: iso(now),
          _embedded: {
            emails: entries(email === undefined ? emails : [{ value: email, type: "work" }, ...emails]),
            phones: entries(phone === undefined ? phones : [{ value: phone, type: "work" }, ...phones]),
            websites: entries(websites),
            chats: entries(chats),
            social_profiles: entries(socialProfiles),
            ...(address === undefined ? {} : { address })
          }
        })
        return created(customer.id)
      }),
    getCustomer: ({ error, params, state, url }) => {
      const customer = collections(state).customers.get(params.customerId)
      return Effect.succeed(
        customer === undefined ? error(404, "Customer not found") : ok({
          ...customer,
          ...links(url, `/v2/customers/${customer.id}`, { emails: `/v2/customers/${customer.id}/emails` })
        })
      )
    },
    updateCustomer: ({ error, params, request, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const { customers } = collections(state)
        const current = customers.get(params.customerId)
        if (current === undefined) return error(404, "Customer not found")
        const { emails: _e, phones: _p, websites: _w, chats: _c, socialProfiles: _s, address: _a, email: _m, phone: _ph, ...rest } =
          (request.body ?? {}) as Json
        customers.update(params.customerId, { ...rest, updatedAt: iso(now) })
        return noContent
      }),
    deleteCustomer: ({ error, params, state }) =>
      Effect.succeed(collections(state).customers.remove(params.customerId) ? noContent : error(404, "Customer not found")),
    listCustomerEmails: entryList("emails", "emails"),
    listCustomerPhones: entryList("phones", "phones"),
    listCustomerWebsites: entryList("websites", "websites"),
    listCustomerChatHandles: entryList("chats", "chats"),
    listCustomerSocialProfiles: entryList("social-profiles", "social_profiles"),
    createCustomerEmail: entryCreate("emails"),
    createCustomerPhone: entryCreate("phones"),
    createCustomerWebsite: entryCreate("websites"),
    createCustomerChatHandle: entryCreate("chats"),
    createCustomerSocialProfile: entryCreate("social_profiles"),

    createConversation: ({ error, request, state }) =>
      Effect.gen(function*() {
        const body = (request.body ?? {}) as Json
        const { conversations, customers, mailboxes, tags } = collections(state)
        if (mailboxes.get(body.mailboxId) === undefined) {
          return error(400, "Validation error", [{ path: "mailboxId", message: "mailbox does not exist" }])
        }
        const now = yield* Clock.currentTimeMillis
        const customerRef: Json = body.customer ?? {}
        const customer = customerRef.id !== undefined
          ? customers.get(customerRef.id)
          : customers.list((c) => c._embedded?.emails?.some((e: Json) => e.value === customerRef.email))[0] ??
            customers.insert({
              firstName: customerRef.firstName,
              lastName: customerRef.lastName,
              createdAt: iso(now),
              updatedAt: iso(now),
              _embedded: { emails: [{ id: 1, value: customerRef.email, type: "work" }] }
            })
        if (customer === undefined) return error(400, "Validation error", [{ path: "customer.id", message: "customer does not exist" }])
        for (const name of body.tags ?? []) {
          if (tags.list((t) => t.name === name).length === 0) tags.insert({ name, slug: name, color: "none", ticketCount: 0 })
        }
        const number = conversations.size + 1
        const conversation = conversations.insert({
          number,
          type: body.type,
          folderId: 1,
          status: body.status,
          state: "published",
          subject: body.subject,
          preview: body.threads?.[0]?.text?.slice(0, 80) ?? "",
          mailboxId: body.mailboxId,
          createdBy: { id: customer.id, type: "customer" },
          createdAt: body.createdAt ?? iso(now),
          userUpdatedAt: iso(now),
          source: body.source ?? { type: "api", via: "user" },
          tags: (body.tags ?? []).map((name: string) => {
            const tag = tags.list((t) => t.name === name)[0]!
            return { id: tag.id, tag: name, color: tag.color }
          }),
          cc: body.cc ?? [],
          bcc: body.bcc ?? [],
          primaryCustomer: { id: customer.id, type: "customer", email: customer._embedded?.emails?.[0]?.value ?? null },
          ...(body.assignTo === undefined || body.assignTo === null ? {} : { assignee: { id: body.assignTo, type: "user" } }),
          customFields: (body.fields ?? []).map((f: Json) => ({ ...f }))
        })
        for (const thread of body.threads ?? []) addThread(state, conversation.id, thread.type, { customer: { id: customer.id }, ...thread }, now)
        return created(conversation.id)
      }),
    getConversation: ({ error, params, state, url }) => {
      const conversation = collections(state).conversations.get(params.conversationId)
      return Effect.succeed(
        conversation === undefined ? error(404, "Conversation not found") : ok(conversationView(url, state, conversation, true))
      )
    },
    listConversations: ({ params, state, url }) => {
      const status = params.status ?? "active"
      const tagsWanted: ReadonlyArray<string> = params.tag ?? []
      const query = (params.query as string | undefined)?.toLowerCase()
      const found = collections(state).conversations.list((c) =>
        (params.mailbox === undefined || c.mailboxId === params.mailbox) &&
        (status === "all" || c.status === status) &&
        (params.number === undefined || c.number === params.number) &&
        (params.assigned_to === undefined || c.assignee?.id === params.assigned_to) &&
        tagsWanted.every((tag) => c.tags.some((t: Json) => t.tag === tag)) &&
        (query === undefined || String(c.subject).toLowerCase().includes(query))
      ).map((c) => conversationView(url, state, c, params.embed === "threads"))
      const sorted = params.sortOrder === "asc" ? found : [...found].reverse()
      return Effect.succeed(ok(halList(url, "/v2/conversations", "conversations", sorted, params.page ?? 1, size)))
    },
    deleteConversation: ({ error, params, state }) =>
      Effect.succeed(collections(state).conversations.remove(params.conversationId) ? noContent : error(404, "Conversation not found")),
    moveConversation: patchConversation((_, body) => ({ mailboxId: body.value })),
    updateConversationSubject: patchConversation((_, body) => ({ subject: body.value })),
    updateConversationCustomer: patchConversation((c, body) => ({ primaryCustomer: { ...c.primaryCustomer, id: body.value } })),
    publishConversationDraft: patchConversation(() => ({ state: "published" })),
    updateConversationStatus: patchConversation((_, body) => ({ status: body.value })),
    assignConversation: patchConversation((_, body) => ({ assignee: { id: body.value, type: "user" } })),
    unassignConversation: patchConversation(() => ({ assignee: undefined })),
    updateConversationTags: patchConversation((_, body) => ({
      tags: (body.tags ?? []).map((name: string, i: number) => ({ id: i + 1, tag: name, color: "none" }))
    })),
    updateConversationCustomFields: patchConversation((_, body) => ({ customFields: body.fields ?? [] })),

    listThreads: ({ error, params, state, url }) => {
      if (collections(state).conversations.get(params.conversationId) === undefined) {
        return Effect.succeed(error(404, "Conversation not found"))
      }
      const threads = collections(state).threads.list((t) => t.conversationId === params.conversationId).map((
        { conversationId: _, ...thread }
      ) => thread)
      return Effect.succeed(ok(halList(url, `/v2/conversations/${params.conversationId}/threads`, "threads", threads, params.page ?? 1, size)))
    },
    createChatThread: threadCreator("chat"),
    createCustomerThread: threadCreator("customer"),
    createNoteThread: threadCreator("note"),
    createPhoneThread: threadCreator("phone"),
    createReplyThread: threadCreator("reply"),

    listWebhooks: ({ params, state, url }) =>
      Effect.succeed(ok(halList(url, "/v2/webhooks", "webhooks", collections(state).webhooks.list(), params.page ?? 1, size))),
    createWebhook: ({ request, state }) =>
      Effect.succeed(created(collections(state).webhooks.insert({ state: "enabled", ...(request.body as Json) }).id)),
    getWebhook: ({ error, params, state }) => {
      const webhook = collections(state).webhooks.get(params.webhookId)
      return Effect.succeed(webhook === undefined ? error(404, "Webhook not found") : ok(webhook))
    },
    updateWebhook: ({ error, params, request, state }) =>
      Effect.succeed(
        collections(state).webhooks.update(params.webhookId, { ...(request.body as Json), state: "enabled" }) === undefined
          ? error(404, "Webhook not found")
          : noContent
      ),
    deleteWebhook: ({ error, params, state }) =>
      Effect.succeed(collections(state).webhooks.remove(params.webhookId) ? noContent : error(404, "Webhook not found"))
  }

  return {
    vendor,
    operations,
    error: vndError,
    public: ["requestToken", "requestTokenClientCredentials", "requestTokenAuthorizationCode", "refreshAccessToken"],
    authenticate: (request, state) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const bearer = /^Bearer\s+(.+)$/i.exec(request.headers["authorization"] ?? "")?.[1]
        if (bearer !== undefined && staticTokens.has(bearer)) return undefined
        const token = bearer === undefined ? undefined : collections(state).tokens.get(bearer)
        return token !== undefined && token.expiresAt > now ? undefined : vndError(401, "Invalid or expired access token", [])
      }),
    rateLimit: {
      limit: options.rateLimit ?? 400,
      window: "1 minute",
      cost: (request) => request.method === "GET" ? 1 : 2,
      headers: ({ limit, remaining, resetSeconds }) => ({
        "X-RateLimit-Limit-Minute": String(limit),
        "X-RateLimit-Remaining-Minute": String(remaining),
        "X-RateLimit-Retry-After": String(resetSeconds)
      })
    },
    handlers,
    seed: (state) => {
      const { mailboxes, tags, users } = collections(state)
      mailboxes.insert({ name: "Support", slug: "support", email: "support@example.test", createdAt: "2024-01-01T00:00:00Z" })
      mailboxes.insert({ name: "Billing", slug: "billing", email: "billing@example.test", createdAt: "2024-01-01T00:00:00Z" })
      users.insert({ firstName: "Ada", lastName: "Agent", email: "ada@example.test", role: "owner", type: "user", timezone: "UTC" })
      users.insert({ firstName: "Bo", lastName: "Builder", email: "bo@example.test", role: "user", type: "user", timezone: "UTC" })
      tags.insert({ name: "vip", slug: "vip", color: "#929499", ticketCount: 0 })
    }
  }
}

/** Starts the Help Scout mock on loopback for the lifetime of the scope. */
export const make = (options: Options = {}): Effect.Effect<Mock.Mock, never, Scope.Scope> =>
  Mock.make(definition(options), { port: options.port })
