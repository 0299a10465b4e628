/**
 * An amoCRM account you can run on loopback. The operation registry routes and validates every
 * request; leads, contacts, companies, customers, tasks, notes, tags, custom fields and links are kept
 * in memory, and the other operations answer with schema-valid examples.
 *
 * Like the real API it issues OAuth tokens (JWTs carrying `api_domain`) and rotates refresh tokens,
 * rejects unknown bearers with 401, answers errors as `application/problem+json` with amoCRM's
 * `validation-errors`, pages lists with `_links.next` and answers an empty page with 204, allows
 * 7 requests per second (429 beyond), and refuses an update of an entity that another update is
 * still changing ("Last modified date is older than in database").
 *
 * ```ts
 * const mock = yield* AmoCRMMock.make()
 * AmoCRM.layerAccount({ subdomain: "example", baseUrl: mock.url, auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken) })
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, type Scope } from "effect"
import { Jwt } from "@vendor-sdk/core"
import { Mock, type Server, State } from "@vendor-sdk/mock"
import { operations } from "./generated/operations.ts"
import { vendor } from "./generated/vendor.ts"

/** Options of the mock. */
export interface Options {
  readonly port?: number | undefined
  /** The account's subdomain, as the token claims and lookups report it. */
  readonly subdomain?: string | undefined
  /** OAuth integrations the token endpoint accepts. Defaults to {@link demoClient}. */
  readonly clients?: ReadonlyArray<{ readonly id: string; readonly secret: string; readonly redirectUri: string }> | undefined
  /** Lifetime of issued access tokens in seconds. Defaults to 86400. */
  readonly tokenLifetime?: number | undefined
  /** Bearer tokens accepted without OAuth (long-lived tokens). Defaults to [{@link staticToken}]. */
  readonly staticTokens?: ReadonlyArray<string> | undefined
  /** Requests per second before 429s. Defaults to 7; `false` turns the limit off. */
  readonly rateLimit?: number | false | undefined
  /** How long an update of one entity takes; a second update of it meanwhile is refused. Defaults to 0. */
  readonly updateLatency?: Duration.Input | undefined
}

/** The integration the mock knows by default. */
export const demoClient = {
  id: "00000000-0000-4000-8000-000000000001",
  secret: "demo-client-secret",
  redirectUri: "https://integration.example.test/oauth/callback"
} as const

/** A long-lived token the mock accepts by default. */
export const staticToken = "amocrm-long-lived-test-token"

type Json = Record<string, any>
type Record_ = Json & { id: number }

const problem = (status: number, title: string, detail: string): Server.Reply => ({
  status,
  contentType: "application/problem+json",
  body: { title, type: `https://httpstatus.es/${status}`, status, detail }
})

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error"
}

/** amoCRM's error answers; validation failures carry `validation-errors` per request item. */
export const errorReply = (status: number, message: string, fieldErrors: ReadonlyArray<Mock.FieldError>): Server.Reply => {
  if (status !== 400 || fieldErrors.length === 0) return problem(status, titles[status] ?? "Error", message)
  const groups = new Map<string, Array<{ code: string; path: string; detail: string }>>()
  for (const error of fieldErrors) {
    // `body.3.price` is item 3 of the request array, field `price`.
    const match = /^body\.(\d+)\.?(.*)$/.exec(error.path)
    const requestId = match?.[1] ?? "0"
    const path = match === null ? error.path.replace(/^body\.?/, "") : match[2]!
    const list = groups.get(requestId) ?? []
    list.push({ code: error.message.startsWith("Missing") ? "FieldMissing" : "InvalidType", path, detail: error.message })
    groups.set(requestId, list)
  }
  return {
    status,
    contentType: "application/problem+json",
    body: {
      "validation-errors": [...groups].map(([request_id, errors]) => ({ request_id, errors })),
      title: "Bad Request",
      type: "https://httpstatus.es/400",
      status: 400,
      detail: "Request validation failed"
    }
  }
}

const ok = (body: unknown): Server.Reply => ({ status: 200, contentType: "application/hal+json", body })
const noContent: Server.Reply = { status: 204 }

const entityKinds = ["leads", "contacts", "companies", "customers"] as const

/** The mock's definition, for `Mock.make` or to extend with more handlers. */
export const definition = (options: Options = {}): Mock.Definition => {
  const subdomain = options.subdomain ?? "example"
  const clients = options.clients ?? [demoClient]
  const lifetime = options.tokenLifetime ?? 86400
  const staticTokens = new Set(options.staticTokens ?? [staticToken])
  const updateLatency = Duration.fromInputUnsafe(options.updateLatency ?? 0)
  const apiDomain = "api-b.amocrm.ru"

  const collections = (state: State.State) => ({
    leads: state.collection<Record_>("leads", { start: 1000001 }),
    contacts: state.collection<Record_>("contacts", { start: 2000001 }),
    companies: state.collection<Record_>("companies", { start: 3000001 }),
    customers: state.collection<Record_>("customers", { start: 4000001 }),
    tasks: state.collection<Record_>("tasks", { start: 5000001 }),
    notes: state.collection<Record_>("notes", { start: 6000001 }),
    tags: state.collection<Record_>("tags", { start: 7000001 }),
    customFields: state.collection<Record_>("custom-fields", { start: 8000001 }),
    links: state.collection<Record_>("links"),
    tokens: state.collection<Json & { id: string; expiresAt: number }>("tokens", { ids: "uuid" }),
    refreshTokens: state.collection<Json & { id: string; client: string }>("refresh-tokens", { ids: "uuid" })
  })
  const store = (state: State.State, kind: string) =>
    (collections(state) as unknown as Record<string, State.Collection<Record_>>)[kind]!
  // Entities an update is changing right now, to refuse overlapping updates as amoCRM does.
  const updating = new Set<string>()

  const page = (url: string, path: string, rel: string, items: ReadonlyArray<unknown>, params: Json): Server.Reply => {
    const limit = Math.min(params.limit ?? 50, 250)
    const number = params.page ?? 1
    const { items: slice, totalPages } = State.page(items, number, limit)
    if (slice.length === 0) return noContent
    const href = (n: number) => ({ href: `${url}${path}?page=${n}&limit=${limit}` })
    return ok({
      _page: number,
      _links: {
        self: href(number),
        ...(number < totalPages ? { next: href(number + 1) } : {}),
        ...(number > 1 ? { first: href(1), prev: href(number - 1) } : {})
      },
      _embedded: { [rel]: slice }
    })
  }

  const selfLink = (url: string, path: string) => ({ _links: { self: { href: `${url}${path}` } } })

  const idFilter = (params: Json) => {
    const ids = params.filter?.id
    if (ids === undefined) return () => true
    const wanted = new Set((Array.isArray(ids) ? ids : [ids]).map(Number))
    return (record: Record_) => wanted.has(record.id)
  }

  const mergeFields = (current: ReadonlyArray<Json> | undefined, changes: ReadonlyArray<Json> | null | undefined) => {
    if (changes === undefined) return current
    if (changes === null) return undefined
    const byField = new Map((current ?? []).map((field) => [field.field_id ?? field.field_code, field]))
    for (const change of changes) {
      const key = change.field_id ?? change.field_code
      // `values: null` clears the field.
      if (change.values === null) byField.delete(key)
      else byField.set(key, { ...byField.get(key), ...change })
    }
    return byField.size === 0 ? undefined : [...byField.values()]
  }

  const tagsOf = (state: State.State, refs: ReadonlyArray<Json> | null | undefined) => {
    if (refs === undefined || refs === null) return undefined
    const { tags } = collections(state)
    return refs.map((ref) => {
      const found = ref.id !== undefined ? tags.get(ref.id) : tags.list((t) => t.name === ref.name)[0]
      const tag = found ?? tags.insert({ name: ref.name ?? `tag-${ref.id}`, color: null, entity_type: "leads" })
      return { id: tag.id, name: tag.name, color: tag.color ?? null }
    })
  }

  /** A stored entity from a write item (wire form). */
  const fromInput = (state: State.State, input: Json, now: number, current?: Json): Json => {
    const { _embedded, custom_fields_values, request_id: _, tags_to_add, tags_to_delete, visitor_uid: __, ...fields } = input
    const seconds = Math.floor(now / 1000)
    let tags: Array<Json> | undefined = current?._embedded?.tags
    if (_embedded?.tags !== undefined) tags = tagsOf(state, _embedded.tags) ?? []
    if (tags_to_add !== undefined) tags = [...(tags ?? []), ...(tagsOf(state, tags_to_add) ?? [])]
    if (tags_to_delete !== undefined) {
      const removed = new Set((tags_to_delete as Array<Json>).map((t) => t.id ?? t.name))
      tags = (tags ?? []).filter((t) => !removed.has(t.id) && !removed.has(t.name))
    }
    const merged = mergeFields(current?.custom_fields_values, custom_fields_values)
    return {
      ...current,
      ...fields,
      custom_fields_values: merged ?? null,
      created_at: current?.created_at ?? fields.created_at ?? seconds,
      updated_at: seconds,
      account_id: 31000001,
      _embedded: { ...current?._embedded, ...(tags === undefined ? {} : { tags }) }
    }
  }

  const linksOf = (state: State.State, entityType: string, entityId: number) =>
    collections(state).links.list((l) => l.entity_type === entityType && l.entity_id === entityId)

  const view = (state: State.State, url: string, kind: string, record: Record_, withs: ReadonlyArray<string>) => {
    const embedded: Json = { ...record._embedded }
    for (const target of ["contacts", "companies", "leads", "customers"]) {
      if (!withs.includes(target)) continue
      embedded[target] = linksOf(state, kind, record.id).filter((l) => l.to_entity_type === target).map((l) => ({
        id: l.to_entity_id,
        ...(target === "contacts" ? { is_main: l.metadata?.is_main ?? false } : {}),
        ...selfLink(url, `/api/v4/${target}/${l.to_entity_id}`)
      }))
    }
    return { ...record, ...selfLink(url, `/api/v4/${kind}/${record.id}`), _embedded: embedded }
  }

  const withList = (params: Json): ReadonlyArray<string> => params.with ?? []

  const list = (kind: string): Mock.Handler => ({ params, state, url }) => {
    const query = params.query === undefined ? undefined : String(params.query).toLowerCase()
    let found = store(state, kind).list(idFilter(params)).filter((r) =>
      query === undefined || JSON.stringify(r).toLowerCase().includes(query)
    )
    const order = params.order as Json | undefined
    const [field, direction] = Object.entries(order ?? {})[0] ?? ["id", "asc"]
    found = [...found].sort((a, b) => (a[field] - b[field]) * (direction === "desc" ? -1 : 1))
    return Effect.succeed(page(url, `/api/v4/${kind}`, kind, found.map((r) => view(state, url, kind, r, withList(params))), params))
  }

  const get = (kind: string): Mock.Handler => ({ error, params, state, url }) => {
    const record = store(state, kind).get(params.id)
    return Effect.succeed(record === undefined ? error(404, `${kind} ${params.id} not found`) : ok(view(state, url, kind, record, withList(params))))
  }

  const created = (url: string, kind: string, record: Record_, requestId: string | undefined) => ({
    id: record.id,
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...selfLink(url, `/api/v4/${kind}/${record.id}`)
  })

  const create = (kind: string, extra: (input: Json) => Json = () => ({})): Mock.Handler => ({ request, state, url }) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const items = request.body as Array<Json>
      const results = items.map((input, i) => {
        const record = store(state, kind).insert(fromInput(state, { ...input, ...extra(input) }, now))
        return created(url, kind, record, input.request_id ?? String(i))
      })
      return ok({ ...selfLink(url, `/api/v4/${kind}`), _embedded: { [kind]: results } })
    })

  /** Applies updates; an entity another update is still changing is refused, as amoCRM does. */
  const applyUpdates = (state: State.State, kind: string, items: ReadonlyArray<Json>) =>
    Effect.gen(function*() {
      const keys = items.map((item) => `${kind}:${item.id}`)
      const busy = keys.find((key) => updating.has(key))
      if (busy !== undefined) {
        return { _tag: "Conflict" as const, reply: errorReply(400, "Last modified date is older than in database", []) }
      }
      const missing = items.find((item) => store(state, kind).get(item.id) === undefined)
      if (missing !== undefined) return { _tag: "Conflict" as const, reply: errorReply(404, `${kind} ${missing.id} not found`, []) }
      keys.forEach((key) => updating.add(key))
      yield* Effect.sleep(updateLatency).pipe(Effect.ensuring(Effect.sync(() => keys.forEach((key) => updating.delete(key)))))
      const now = yield* Clock.currentTimeMillis
      const updated = items.map((item) => {
        const current = store(state, kind).get(item.id)!
        const { id: _, ...rest } = fromInput(state, item, now, current)
        return store(state, kind).update(item.id, rest)!
      })
      return { _tag: "Done" as const, updated }
    })

  const updateMany = (kind: string): Mock.Handler => ({ request, state, url }) =>
    Effect.map(applyUpdates(state, kind, request.body as Array<Json>), (outcome) =>
      outcome._tag === "Conflict" ? outcome.reply : ok({
        ...selfLink(url, `/api/v4/${kind}`),
        _embedded: {
          [kind]: outcome.updated.map((record, i) => ({
            id: record.id,
            updated_at: record.updated_at,
            request_id: (request.body as Array<Json>)[i]?.request_id ?? String(i),
            ...selfLink(url, `/api/v4/${kind}/${record.id}`)
          }))
        }
      }))

  const updateOne = (kind: string): Mock.Handler => ({ params, request, state, url }) =>
    Effect.map(applyUpdates(state, kind, [{ ...(request.body as Json), id: params.id }]), (outcome) =>
      outcome._tag === "Conflict"
        ? outcome.reply
        : ok({ id: params.id, updated_at: outcome.updated[0]!.updated_at, ...selfLink(url, `/api/v4/${kind}/${params.id}`) }))

  const notesOf = (state: State.State, entityType: string, entityId?: number) =>
    collections(state).notes.list((n) => n.entity_type === entityType && (entityId === undefined || n.entity_id === entityId))
      .map(({ entity_type: _, ...note }) => note)

  const issue = (state: State.State, client: { readonly id: string; readonly secret: string }) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const { refreshTokens, tokens } = collections(state)
      const seconds = Math.floor(now / 1000)
      const access = yield* Jwt.sign({
        aud: client.id,
        jti: crypto.randomUUID(),
        iat: seconds,
        nbf: seconds,
        exp: seconds + lifetime,
        sub: "10000001",
        account_id: 31000001,
        base_domain: "amocrm.ru",
        api_domain: apiDomain,
        scopes: ["crm", "notifications"]
      }, client.secret)
      tokens.insert({ id: access, expiresAt: now + lifetime * 1000 })
      const refresh = refreshTokens.insert({ client: client.id }).id
      return ok({ token_type: "Bearer", expires_in: lifetime, access_token: access, refresh_token: refresh, server_time: seconds })
    })

  const token: Mock.Handler = ({ error, request, state }) => {
    const body = (request.body ?? {}) as Json
    const client = clients.find((c) => c.id === body.client_id && c.secret === body.client_secret)
    if (client === undefined) return Effect.succeed(error(401, "Client authentication failed"))
    if (body.redirect_uri !== client.redirectUri) return Effect.succeed(error(400, "Redirect URI mismatch"))
    switch (body.grant_type) {
      case "authorization_code":
        return typeof body.code === "string" && body.code.length > 0
          ? issue(state, client)
          : Effect.succeed(error(400, "Authorization code is invalid"))
      case "refresh_token": {
        const { refreshTokens } = collections(state)
        const known = refreshTokens.get(String(body.refresh_token))
        if (known === undefined || known.client !== client.id) return Effect.succeed(error(401, "Refresh token has been revoked"))
        // Refresh tokens rotate: the one just used stops working.
        refreshTokens.remove(known.id)
        return issue(state, client)
      }
      default:
        return Effect.succeed(error(400, `Unsupported grant_type ${body.grant_type}`))
    }
  }

  const handlers: Record<string, Mock.Handler> = {
    requestAccessToken: token,
    exchangeAuthorizationCode: token,
    refreshAccessToken: token,
    getAccountSubdomainByRefreshToken: ({ error, request, state }) => {
      const refresh = request.headers["x-refresh-token"]
      return Effect.succeed(
        refresh !== undefined && collections(state).refreshTokens.get(refresh) !== undefined
          ? ok({ id: 31000001, subdomain, domain: `${subdomain}.amocrm.ru`, top_level_domain: "ru" })
          : error(401, "Refresh token has been revoked")
      )
    },
    exchangeApiKey: ({ request }) =>
      Effect.succeed(
        clients.some((c) => c.id === (request.body as Json).client_uuid && c.secret === (request.body as Json).client_secret)
          ? { status: 202 }
          : problem(401, "Unauthorized", "Client authentication failed")
      ),
    getAccount: ({ params, url }) =>
      Effect.succeed(ok({
        id: 31000001,
        name: "Example account",
        subdomain,
        current_user_id: 10000001,
        country: "RU",
        currency: "RUB",
        customers_mode: "disabled",
        is_unsorted_on: true,
        is_loss_reason_enabled: false,
        is_helpbot_enabled: false,
        is_technical_account: false,
        contact_name_display_order: 1,
        ...(withList(params).includes("drive_url") ? { drive_url: "https://drive-b.amocrm.ru" } : {}),
        ...selfLink(url, "/api/v4/account")
      })),

    createLeadsComplex: ({ request, state }) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        ok((request.body as Array<Json>).map((input, i) => {
          const { _embedded, ...lead } = input
          const { links } = collections(state)
          const created = store(state, "leads").insert(fromInput(state, lead, now))
          const contact = _embedded?.contacts?.[0] === undefined
            ? undefined
            : store(state, "contacts").insert(fromInput(state, _embedded.contacts[0], now))
          const company = _embedded?.companies?.[0] === undefined
            ? undefined
            : store(state, "companies").insert(fromInput(state, _embedded.companies[0], now))
          for (const [type, other] of [["contacts", contact], ["companies", company]] as const) {
            if (other === undefined) continue
            links.insert({ entity_type: "leads", entity_id: created.id, to_entity_type: type, to_entity_id: other.id })
            links.insert({ entity_type: type, entity_id: other.id, to_entity_type: "leads", to_entity_id: created.id })
          }
          return {
            id: created.id,
            contact_id: contact?.id ?? null,
            company_id: company?.id ?? null,
            request_id: [input.request_id ?? String(i)],
            merged: false
          }
        }))),
    linkEntity: ({ error, params, request, state, url }) => {
      const kind = String(params.entity_type)
      if (store(state, kind)?.get(params.entity_id) === undefined) return Effect.succeed(error(404, `${kind} ${params.entity_id} not found`))
      const { links } = collections(state)
      const made = (request.body as Array<Json>).map((input) => {
        const existing = links.list((l) =>
          l.entity_type === kind && l.entity_id === params.entity_id && l.to_entity_type === input.to_entity_type &&
          l.to_entity_id === input.to_entity_id
        )[0]
        const link = existing ?? links.insert({ entity_type: kind, entity_id: params.entity_id, ...input })
        // Links are symmetric between the main entities.
        if (existing === undefined && (entityKinds as ReadonlyArray<string>).includes(input.to_entity_type)) {
          links.insert({
            entity_type: input.to_entity_type,
            entity_id: input.to_entity_id,
            to_entity_type: kind,
            to_entity_id: params.entity_id,
            ...(input.metadata === undefined ? {} : { metadata: input.metadata })
          })
        }
        const { id: _, ...rest } = link
        return rest
      })
      return Effect.succeed(ok({ _links: { self: { href: `${url}/api/v4/${kind}/${params.entity_id}/link` } }, _embedded: { links: made } }))
    },
    unlinkEntity: ({ params, request, state }) => {
      const kind = String(params.entity_type)
      const { links } = collections(state)
      for (const input of request.body as Array<Json>) {
        for (const link of links.list()) {
          const forward = link.entity_type === kind && link.entity_id === params.entity_id &&
            link.to_entity_type === input.to_entity_type && link.to_entity_id === input.to_entity_id
          const backward = link.entity_type === input.to_entity_type && link.entity_id === input.to_entity_id &&
            link.to_entity_type === kind && link.to_entity_id === params.entity_id
          if (forward || backward) links.remove(link.id)
        }
      }
      return Effect.succeed(noContent)
    },
    listEntityLinks: ({ params, state, url }) => {
      const kind = String(params.entity_type)
      const found = linksOf(state, kind, params.entity_id).filter((l) =>
        params.filter?.to_entity_type === undefined || l.to_entity_type === params.filter.to_entity_type
      ).map(({ id: _, ...link }) => link)
      return Effect.succeed(page(url, `/api/v4/${kind}/${params.entity_id}/links`, "links", found, {}))
    },

    listEntityNotes: ({ params, state, url }) =>
      Effect.succeed(page(
        url,
        `/api/v4/${params.entity_type}/${params.entity_id}/notes`,
        "notes",
        notesOf(state, params.entity_type, params.entity_id),
        params
      )),
    createNotes: ({ error, params, request, state, url }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const kind = String(params.entity_type)
        const items = request.body as Array<Json>
        const orphan = items.find((note) => store(state, kind).get(note.entity_id) === undefined)
        if (orphan !== undefined) return error(400, `${kind} ${orphan.entity_id} not found`)
        const results = items.map((input, i) => {
          const { request_id: _, ...note } = input
          const seconds = Math.floor(now / 1000)
          const record = collections(state).notes.insert({
            ...note,
            entity_type: kind,
            created_at: seconds,
            updated_at: seconds,
            account_id: 31000001
          })
          return { id: record.id, entity_id: note.entity_id, request_id: input.request_id ?? String(i) }
        })
        return ok({ ...selfLink(url, `/api/v4/${kind}/notes`), _embedded: { notes: results } })
      }),
    listNotes: ({ params, state, url }) =>
      Effect.succeed(page(url, `/api/v4/${params.entity_type}/notes`, "notes", notesOf(state, params.entity_type), params)),
    listTags: ({ params, state, url }) => {
      const query = params.query === undefined ? undefined : String(params.query).toLowerCase()
      const found = collections(state).tags.list((t) =>
        t.entity_type === params.entity_type && (query === undefined || String(t.name).toLowerCase().includes(query))
      ).map(({ entity_type: _, ...tag }) => tag)
      return Effect.succeed(page(url, `/api/v4/${params.entity_type}/tags`, "tags", found, params))
    },
    getNote: ({ error, params, state }) => {
      const note = notesOf(state, params.entity_type, params.entity_id).find((n) => n.id === params.id)
      return Effect.succeed(note === undefined ? error(404, "Note not found") : ok(note))
    },

    createTags: ({ params, request, state, url }) => {
      const { tags } = collections(state)
      const made = (request.body as Array<Json>).map((input, i) => {
        const tag = tags.insert({ name: input.name, color: input.color ?? null, entity_type: params.entity_type })
        return { id: tag.id, name: tag.name, color: tag.color, request_id: input.request_id ?? String(i) }
      })
      return Effect.succeed(ok({ ...selfLink(url, `/api/v4/${params.entity_type}/tags`), _embedded: { tags: made } }))
    },

    listCustomFields: ({ params, state, url }) =>
      Effect.succeed(page(
        url,
        `/api/v4/${params.entity_type}/custom_fields`,
        "custom_fields",
        collections(state).customFields.list((f) => f.entity_type === params.entity_type),
        params
      )),
    getCustomField: ({ error, params, state }) => {
      const field = collections(state).customFields.get(params.id)
      return Effect.succeed(field === undefined || field.entity_type !== params.entity_type ? error(404, "Field not found") : ok(field))
    },
    createCustomFields: ({ params, request, state, url }) => {
      const made = (request.body as Array<Json>).map((input, i) =>
        collections(state).customFields.insert({
          ...input,
          request_id: input.request_id ?? String(i),
          entity_type: params.entity_type,
          account_id: 31000001,
          is_predefined: false,
          is_deletable: true
        })
      )
      return Effect.succeed(ok({ ...selfLink(url, `/api/v4/${params.entity_type}/custom_fields`), _embedded: { custom_fields: made } }))
    },
    deleteCustomField: ({ error, params, state }) =>
      Effect.succeed(collections(state).customFields.remove(params.id) ? noContent : error(404, "Field not found"))
  }

  for (const kind of entityKinds) {
    const singular = { leads: "Lead", contacts: "Contact", companies: "Company", customers: "Customer" }[kind]
    const plural = { leads: "Leads", contacts: "Contacts", companies: "Companies", customers: "Customers" }[kind]
    handlers[`list${plural}`] = list(kind)
    handlers[`get${singular}`] = get(kind)
    handlers[`create${plural}`] = create(kind)
    handlers[`update${plural}`] = updateMany(kind)
    handlers[`update${singular}`] = updateOne(kind)
  }
  handlers.listTasks = list("tasks")
  handlers.getTask = get("tasks")
  handlers.createTasks = create("tasks")
  handlers.updateTasks = updateMany("tasks")
  handlers.updateTask = updateOne("tasks")

  const authenticate = (request: Server.RecordedRequest, state: State.State) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const bearer = /^Bearer\s+(.+)$/i.exec(request.headers["authorization"] ?? "")?.[1]
      if (bearer !== undefined && staticTokens.has(bearer)) return undefined
      const known = bearer === undefined ? undefined : collections(state).tokens.get(bearer)
      return known !== undefined && known.expiresAt > now ? undefined : problem(401, "Unauthorized", "Invalid or expired access token")
    })

  return {
    vendor,
    operations,
    error: errorReply,
    public: [
      "requestAccessToken",
      "exchangeAuthorizationCode",
      "refreshAccessToken",
      "getAccountSubdomainByRefreshToken",
      "exchangeApiKey"
    ],
    authenticate,
    ...(options.rateLimit === false ? {} : { rateLimit: { limit: options.rateLimit ?? 7, window: "1 second" } }),
    handlers,
    seed: (state) => {
      const fields = collections(state).customFields
      fields.insert({ name: "Phone", type: "multitext", code: "PHONE", entity_type: "contacts", sort: 4, is_api_only: false, enums: [{ id: 1, value: "WORK", sort: 2 }, { id: 2, value: "MOB", sort: 4 }] })
      fields.insert({ name: "Email", type: "multitext", code: "EMAIL", entity_type: "contacts", sort: 6, is_api_only: false, enums: [{ id: 3, value: "WORK", sort: 2 }] })
      fields.insert({ name: "Budget source", type: "select", entity_type: "leads", sort: 10, is_api_only: false, enums: [{ id: 4, value: "Web", sort: 1 }, { id: 5, value: "Referral", sort: 2 }] })
    }
  }
}

/** Starts the amoCRM mock on loopback for the lifetime of the scope. */
export const make = (options: Options = {}): Effect.Effect<Mock.Mock, never, Scope.Scope> =>
  Mock.make(definition(options), { port: options.port })
