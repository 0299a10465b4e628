/**
 * OAuth against the mock: code exchange, rotating refresh tokens persisted before use, the API-key
 * exchange, long-lived tokens, the browser-side helpers and subdomain-change recovery.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, Redacted, References } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Jwt, TokenStore } from "@vendor-sdk/core"
import { setup } from "./support.ts"

const { demoClient } = AmoCRMMock
const oauth = { clientId: demoClient.id, clientSecret: demoClient.secret, redirectUri: demoClient.redirectUri }

/** A store that records, in order, what was stored and which refresh tokens were current at each store. */
const recordingStore = () => {
  const memory = TokenStore.makeMemory()
  const events: Array<string> = []
  const store = TokenStore.TokenStore.of({
    get: memory.get,
    remove: memory.remove,
    set: (key, tokens) =>
      Effect.andThen(memory.set(key, tokens), Effect.sync(() => void events.push(`stored ${Redacted.value(tokens.refreshToken!)}`)))
  })
  return { memory, events, layer: Layer.succeed(TokenStore.TokenStore, store) }
}

describe("oauth", () => {
  it.live("exchanges the code once, then refreshes with each rotated refresh token, stored before it is used", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      // Tokens live 30 s and are renewed 60 s early: every call needs a refresh.
      const { layer, mock } = yield* setup({
        tokenLifetime: 30,
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1", account: "example" }).pipe(Layer.provide(store.layer))
      })
      yield* Effect.gen(function*() {
        const account = yield* AmoCRM.Account
        yield* account.getAccount({})
        yield* account.getAccount({})
        yield* account.getAccount({})
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      const grants = requests.filter((r) => r.path === "/oauth2/access_token").map((r) => r.body as Record<string, string>)
      expect(grants.map((g) => g.grant_type)).toEqual(["authorization_code", "refresh_token", "refresh_token"])
      expect(grants.every((g) => g.redirect_uri === demoClient.redirectUri)).toBe(true)
      // Each refresh sent the refresh token the previous answer rotated in, which had been stored first.
      const stored = store.events.map((e) => e.replace("stored ", ""))
      expect(stored.length).toBe(3)
      expect(grants[1]!.refresh_token).toBe(stored[0])
      expect(grants[2]!.refresh_token).toBe(stored[1])
      const current = Option.getOrThrow(yield* store.memory.get("amocrm:example"))
      expect(Redacted.value(current.refreshToken!)).toBe(stored[2])
      // Only the last one still works at the vendor.
      expect(mock.state.collection("refresh-tokens").list().map((t) => t.id)).toEqual([stored[2]])
      // API calls carried the access token issued just before them.
      const calls = requests.filter((r) => r.path === "/api/v4/account")
      expect(calls.every((r) => /^Bearer ey/.test(r.headers["authorization"] ?? ""))).toBe(true)
    }).pipe(Effect.scoped))

  it.live("starts from a stored refresh token and recovers after the vendor revokes the access token", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const { layer, mock } = yield* setup({
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }).pipe(Layer.provide(store.layer))
      })
      yield* Effect.gen(function*() {
        const account = yield* AmoCRM.Account
        yield* account.getAccount({})
        for (const token of mock.state.collection("tokens").list()) mock.state.collection("tokens").remove(token.id)
        yield* account.getAccount({})
      }).pipe(Effect.provide(layer))
      const paths = (yield* mock.requests).map((r) => `${r.path} ${r.path.startsWith("/oauth2") ? (r.body as { grant_type: string }).grant_type : ""}`.trim())
      expect(paths).toEqual([
        "/oauth2/access_token authorization_code",
        "/api/v4/account",
        "/api/v4/account",
        "/oauth2/access_token refresh_token",
        "/api/v4/account"
      ])
    }).pipe(Effect.scoped))

  it.live("follows the account to its new subdomain when a refresh is refused with 404", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const moved = yield* AmoCRMMock.make({ rateLimit: false })
      const { layer, mock } = yield* setup({
        tokenLifetime: 30,
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }).pipe(Layer.provide(store.layer))
      })
      const run = AmoCRM.Account.use((account) => account.getAccount({}))
      yield* run.pipe(Effect.provide(layer))
      // The account moves: the old host refuses refreshes, the new one knows the refresh token.
      yield* mock.inject({ fault: { _tag: "Status", status: 404, body: { title: "Not Found", status: 404, detail: "Account moved" } }, operationId: "refreshAccessToken" })
      const refresh = Redacted.value(Option.getOrThrow(yield* store.memory.get("amocrm:default")).refreshToken!)
      moved.state.collection("refresh-tokens").insert({ id: refresh, client: demoClient.id })
      const relocated = AmoCRM.layerAccount({
        subdomain: "example",
        baseUrl: mock.url,
        // the lookup on api_domain answers `example.amocrm.ru`; that host is the second mock
        servers: { "https://{api_domain}": moved.url, "https://example.amocrm.ru": moved.url },
        auth: AmoCRM.OAuth.layer({ ...oauth }).pipe(Layer.provide(store.layer)),
        rateLimit: false
      })
      yield* run.pipe(Effect.provide(relocated.pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.fresh)))
      const seen = (yield* moved.requests).map((r) => r.path)
      expect(seen).toEqual(["/oauth2/account/current/subdomain", "/oauth2/access_token", "/api/v4/account"])
      expect((yield* moved.requests)[0]!.headers["x-refresh-token"]).toBe(refresh)
    }).pipe(Effect.scoped))

  it.live("logs each exchange at Debug with tokens, secrets and the refresh-token header redacted", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const store = recordingStore()
      const { layer, mock } = yield* setup({
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }).pipe(Layer.provide(store.layer))
      })
      yield* AmoCRM.Leads.use((leads) => leads.listLeads({ filter: { id: [1] } })).pipe(
        Effect.provide(layer),
        Effect.provide(capture),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      const refresh = Redacted.value(Option.getOrThrow(yield* store.memory.get("amocrm:default")).refreshToken!)
      const access = (yield* mock.requests).find((r) => r.path === "/api/v4/leads")!.headers["authorization"]!.slice(7)
      const text = lines.join("\n")
      expect(text).toContain("/api/v4/leads")
      for (const secret of [refresh, access, demoClient.secret]) expect(text).not.toContain(secret)
    }).pipe(Effect.scoped))

  it.live("trades an API key for a code (202) without credentials of its own", () =>
    Effect.gen(function*() {
      const mock = yield* AmoCRMMock.make({ rateLimit: false })
      yield* AmoCRM.OAuth.exchangeApiKey({ login: "admin@example.test", apiKey: "key-1", clientId: demoClient.id, clientSecret: demoClient.secret }).pipe(
        Effect.provide([AmoCRM.Endpoint.layer({ baseUrl: mock.url }), NodeHttpClient.layerUndici])
      )
      const [request] = yield* mock.requests
      expect(request!.path).toBe("/oauth2/exchange_api_key")
      expect(request!.headers["authorization"]).toBeUndefined()
      expect(request!.body).toEqual({ login: "admin@example.test", api_key: "key-1", client_uuid: demoClient.id, client_secret: demoClient.secret })
    }).pipe(Effect.scoped))

  it.live("refuses an expired long-lived token before sending anything", () =>
    Effect.gen(function*() {
      const expired = yield* Jwt.sign({ exp: 1_000_000_000, account_id: 1 }, "secret")
      const { layer, mock } = yield* setup({ auth: AmoCRM.OAuth.longLived(expired) })
      const error = yield* AmoCRM.Account.use((a) => a.getAccount({})).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("expired")
      expect(error.message).not.toContain(expired)
      expect((yield* mock.requests).length).toBe(0)
    }).pipe(Effect.scoped))

  it("builds the authorize URL and the button, for amoCRM and Kommo", () => {
    expect(AmoCRM.OAuth.authorizeUrl({ clientId: "c1", state: "s&1", mode: "popup" })).toBe(
      "https://www.amocrm.ru/oauth?client_id=c1&state=s%261&mode=popup"
    )
    const html = AmoCRM.OAuth.button({ clientId: "c1", state: "\"><script>", brand: "kommo", title: "Connect" })
    expect(html).toContain(`src="https://www.kommo.com/auth/button.min.js"`)
    expect(html).toContain(`data-state="&quot;&gt;&lt;script&gt;"`)
    expect(html).toContain(`data-client-id="c1"`)
  })
})
