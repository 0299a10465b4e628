/**
 * A Kommo account you can run on loopback.
 *
 * {@link make} serves the legacy v2 API: leads, contacts, companies, tasks and notes are kept in
 * memory (the other operations answer schema-valid examples); lists page with `limit_rows` /
 * `limit_offset` and answer an empty page with 204; `POST /private/api/auth.php` checks the user's
 * e-mail and API key and sets a `session_id` cookie that expires after 15 minutes by the Clock;
 * OAuth tokens are issued and rotated; more than 7 requests a second get 429; errors read
 * `{"response": {"error", "error_code"}}`, and refused items of a save are reported in
 * `_embedded.errors` with HTTP 200, as v2 does.
 *
 * {@link makeV4} serves the v4 API (the amoCRM mock) for `Kommo.V4`.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, type Scope } from "effect"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Mock, type Server, State } from "@vendor-sdk/mock"
import { operations } from "./generated/operations.ts"
import { vendor } from "./generated/vendor.ts"

/** Options of the v2 mock. */
export interface Options {
  readonly port?: number | undefined
  /** Users that may log in with an API key. Defaults to {@link demoUser}. */
  readonly users?: ReadonlyArray<{ readonly login: string; readonly apiKey: string }> | undefined
  /** How long a session cookie lives. Defaults to 15 minutes. */
  readonly sessionLifetime?: Duration.Input | undefined
  /** Bearer tokens accepted as they are. Defaults to [{@link staticToken}]. */
  readonly staticTokens?: ReadonlyArray<string> | undefined
  /** OAuth integrations the token endpoint accepts. Defaults to {@link demoClient}. */
  readonly clients?: ReadonlyArray<{ readonly id: string; readonly secret: string; readonly redirectUri: string }> | undefined
  /** Requests per second before 429s. Defaults to 7; `false` turns the limit off. */
  readonly rateLimit?: number | false | undefined
}

/** The user the mock knows by default. */
export const demoUser = { login: "admin@example.test", apiKey: "demo-api-key" } as const
/** A bearer token the mock accepts by default. */
export const staticToken = "kommo-test-token"
/** The integration the mock knows by default. */
export const demoClient = AmoCRMMock.demoClient

type Json = Record<string, any>
type Record_ = Json & { id: number }

/** v2's error answer. */
export const errorReply = (status: number, message: string, fieldErrors: ReadonlyArray<Mock.FieldError> = []): Server.Reply => ({
  status,
  body: {
    response: {
      error: fieldErrors.length === 0 ? message : `${message}: ${fieldErrors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
      error_code: status === 401 ? 110 : status,
      ...(fieldErrors.length === 0 ? {} : { errors: fieldErrors })
    }
  }
})

const ok = (body: unknown): Server.Reply => ({ status: 200, body })

const kinds = { saveLeads: "leads", saveContacts: "contacts", saveCompanies: "companies", saveTasks: "tasks", saveNotes: "notes" } as const
const elementTypes: Record<string, number> = { contact: 1, lead: 2, company: 3, task: 4, customer: 12 }

/** The v2 mock's definition, for `Mock.make` or to extend with more handlers. */
export const definition = (options: Options = {}): Mock.Definition => {
  const users = options.users ?? [demoUser]
  const lifetime = Duration.toMillis(Duration.fromInputUnsafe(options.sessionLifetime ?? "15 minutes"))
  const staticTokens = new Set(options.staticTokens ?? [staticToken])
  const clients = options.clients ?? [demoClient]

  const collections = (state: State.State) => ({
    leads: state.collection<Record_>("leads", { start: 1000001 }),
    contacts: state.collection<Record_>("contacts", { start: 2000001 }),
    companies: state.collection<Record_>("companies", { start: 3000001 }),
    tasks: state.collection<Record_>("tasks", { start: 5000001 }),
    notes: state.collection<Record_>("notes", { start: 6000001 }),
    sessions: state.collection<Json & { id: string; login: string; expiresAt: number }>("sessions", { ids: "uuid" }),
    tokens: state.collection<Json & { id: string; expiresAt: number }>("tokens", { ids: "uuid" }),
    refreshTokens: state.collection<Json & { id: string; client: string }>("refresh-tokens", { ids: "uuid" })
  })
  const store = (state: State.State, kind: string) =>
    (collections(state) as unknown as Record<string, State.Collection<Record_>>)[kind]!

  const int = (value: unknown) => value === undefined || value === null || value === "" ? undefined : Number(value)

  /** The read shape of a written entity: numbers from numeric strings, only fields v2 reads back. */
  const stored = (kind: string, input: Json, now: number, current?: Json): Json => {
    const seconds = Math.floor(now / 1000)
    const common = {
      ...current,
      ...(input.name === undefined ? {} : { name: String(input.name) }),
      ...(input.responsible_user_id === undefined ? {} : { responsible_user_id: int(input.responsible_user_id) }),
      created_at: current?.created_at ?? int(input.created_at) ?? seconds,
      updated_at: int(input.updated_at) ?? seconds,
      account_id: 31000001
    }
    switch (kind) {
      case "leads":
        return {
          ...common,
          ...(input.status_id === undefined ? {} : { status_id: int(input.status_id) }),
          ...(input.pipeline_id === undefined ? {} : { pipeline: { id: int(input.pipeline_id) } }),
          ...(input.sale === undefined ? {} : { sale: Number(input.sale) }),
          is_deleted: false
        }
      case "contacts":
        return {
          ...common,
          ...(input.first_name === undefined ? {} : { first_name: String(input.first_name) }),
          ...(input.last_name === undefined ? {} : { last_name: String(input.last_name) })
        }
      case "tasks":
        return {
          ...common,
          ...(input.element_id === undefined ? {} : { element_id: int(input.element_id) }),
          ...(input.element_type === undefined ? {} : { element_type: int(input.element_type) }),
          ...(input.task_type === undefined ? {} : { task_type: int(input.task_type) }),
          ...(input.text === undefined ? {} : { text: String(input.text) }),
          ...(input.complete_till_at === undefined ? {} : { complete_till_at: int(input.complete_till_at) }),
          is_completed: input.is_completed === undefined ? current?.is_completed ?? false : Boolean(input.is_completed)
        }
      case "notes":
        return {
          ...common,
          ...(input.element_id === undefined ? {} : { element_id: int(input.element_id) }),
          ...(input.element_type === undefined ? {} : { element_type: int(input.element_type) }),
          ...(input.note_type === undefined ? {} : { note_type: int(input.note_type) }),
          ...(input.text === undefined ? {} : { text: String(input.text) })
        }
      default:
        return common
    }
  }

  const list = (kind: string): Mock.Handler => ({ params, state }) => {
    const ids = params.id === undefined ? undefined : new Set((Array.isArray(params.id) ? params.id : [params.id]).map(Number))
    const query = params.query === undefined ? undefined : String(params.query).toLowerCase()
    const noteType = params.type === undefined || kind !== "notes" ? undefined : elementTypes[params.type]
    const found = store(state, kind).list((r) =>
      (ids === undefined || ids.has(r.id)) &&
      (query === undefined || String(r.name ?? r.text ?? "").toLowerCase().includes(query)) &&
      (noteType === undefined || r.element_type === noteType) &&
      (params.element_id === undefined || r.element_id === params.element_id)
    )
    // `limit_offset` counts only with `limit_rows`; the system limit is 500.
    const rows = Math.min(params.limit_rows ?? 500, 500)
    const offset = params.limit_rows === undefined ? 0 : params.limit_offset ?? 0
    const slice = found.slice(offset, offset + rows)
    if (slice.length === 0) return Effect.succeed({ status: 204 })
    return Effect.succeed(ok({
      _links: { self: { href: `/api/v2/${kind}`, method: "get" } },
      _embedded: { items: slice.map((r) => ({ ...r, _links: { self: { href: `/api/v2/${kind}?id=${r.id}`, method: "get" } } })) }
    }))
  }

  const save = (kind: string): Mock.Handler => ({ request, state }) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const body = request.body as { add?: Array<Json>; update?: Array<Json> }
      const items: Array<Json> = []
      const errors: { add?: Record<string, Json>; update?: Record<string, Json> } = {}
      for (const [i, input] of (body.add ?? []).entries()) {
        const record = store(state, kind).insert(stored(kind, input, now))
        items.push({ id: record.id, request_id: input.request_id ?? i, _links: { self: { href: `/api/v2/${kind}?id=${record.id}`, method: "get" } } })
      }
      for (const input of body.update ?? []) {
        const id = int(input.id)!
        const current = store(state, kind).get(id)
        if (current === undefined) {
          errors.update = { ...errors.update, [id]: { code: 213, message: "Entity not found" } }
          continue
        }
        // v2 refuses an update that is not newer than what it has.
        if (int(input.updated_at) !== undefined && int(input.updated_at)! <= current.updated_at) {
          errors.update = { ...errors.update, [id]: { code: 217, message: "Last modified date is older than in database" } }
          continue
        }
        store(state, kind).update(id, stored(kind, input, now, current))
        items.push({ id, _links: { self: { href: `/api/v2/${kind}?id=${id}`, method: "get" } } })
      }
      return ok({
        _links: { self: { href: `/api/v2/${kind}`, method: "post" } },
        _embedded: { items, ...(Object.keys(errors).length === 0 ? {} : { errors }) }
      })
    })

  const login: Mock.Handler = ({ request, state }) =>
    Effect.map(Clock.currentTimeMillis, (now): Server.Reply => {
      const body = (request.body ?? {}) as Json
      const user = users.find((u) => u.login === body.USER_LOGIN && u.apiKey === body.USER_HASH)
      if (user === undefined) {
        return { status: 401, body: { response: { auth: false, error: "Incorrect login or API key", error_code: "110" } } }
      }
      const session = collections(state).sessions.insert({ login: user.login, expiresAt: now + lifetime })
      return {
        status: 200,
        headers: { "set-cookie": `session_id=${session.id}; path=/; HttpOnly` },
        body: {
          response: {
            auth: true,
            accounts: [{ id: 31000001, name: "Example", subdomain: "example", language: "en", timezone: "UTC" }],
            user: { id: 10000001, language: "en" },
            server_time: Math.floor(now / 1000)
          }
        }
      }
    })

  const token: Mock.Handler = ({ error, request, state }) =>
    Effect.gen(function*() {
      const body = (request.body ?? {}) as Json
      const client = clients.find((c) => c.id === body.client_id && c.secret === body.client_secret)
      if (client === undefined) return error(401, "Client authentication failed")
      const { refreshTokens, tokens } = collections(state)
      if (body.grant_type === "refresh_token") {
        const known = refreshTokens.get(String(body.refresh_token))
        if (known === undefined) return error(401, "Refresh token has been revoked")
        refreshTokens.remove(known.id)
      } else if (body.grant_type !== "authorization_code" || typeof body.code !== "string") {
        return error(400, `Unsupported grant ${body.grant_type}`)
      }
      const now = yield* Clock.currentTimeMillis
      const access = tokens.insert({ expiresAt: now + 86_400_000 }).id
      const refresh = refreshTokens.insert({ client: client.id }).id
      return ok({ token_type: "Bearer", expires_in: 86400, access_token: access, refresh_token: refresh })
    })

  const handlers: Record<string, Mock.Handler> = {
    loginWithApiKey: login,
    requestOAuthToken: token,
    exchangeAuthorizationCode: token,
    refreshAccessToken: token,
    listLeads: list("leads"),
    listContacts: list("contacts"),
    listCompanies: list("companies"),
    listTasks: list("tasks"),
    listNotes: list("notes")
  }
  for (const [operationId, kind] of Object.entries(kinds)) handlers[operationId] = save(kind)

  const authenticate = (request: Server.RecordedRequest, state: State.State) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const bearer = /^Bearer\s+(.+)$/i.exec(request.headers["authorization"] ?? "")?.[1]
      if (bearer !== undefined && (staticTokens.has(bearer) || (collections(state).tokens.get(bearer)?.expiresAt ?? 0) > now)) {
        return undefined
      }
      const cookie = /(?:^|;\s*)session_id=([^;]+)/.exec(request.headers["cookie"] ?? "")?.[1]
      const session = cookie === undefined ? undefined : collections(state).sessions.get(cookie)
      return session !== undefined && session.expiresAt > now ? undefined : errorReply(401, "Authorization required")
    })

  return {
    vendor,
    operations,
    error: errorReply,
    public: ["loginWithApiKey", "requestOAuthToken", "exchangeAuthorizationCode", "refreshAccessToken"],
    authenticate,
    ...(options.rateLimit === false ? {} : { rateLimit: { limit: options.rateLimit ?? 7, window: "1 second" } }),
    handlers
  }
}

/** Starts the Kommo v2 mock on loopback for the lifetime of the scope. */
export const make = (options: Options = {}): Effect.Effect<Mock.Mock, never, Scope.Scope> =>
  Mock.make(definition(options), { port: options.port })

/** Starts the v4 mock (the amoCRM one) for `Kommo.V4`, for the lifetime of the scope. */
export const makeV4 = (options: AmoCRMMock.Options = {}): Effect.Effect<Mock.Mock, never, Scope.Scope> =>
  AmoCRMMock.make({ subdomain: "example", ...options })
