/**
 * OAuth against the mock: code exchange, rotating refresh tokens persisted before use, the API-key
 * exchange, long-lived tokens, the browser-side helpers and subdomain-change recovery.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, Redacted, References } from "effect"
import { TestClock } from "effect/testing"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Jwt, TokenStore } from "@vendor-sdk/core"
import { Mock } from "@vendor-sdk/mock"
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
  it.effect("exchanges the code once, then refreshes with each rotated refresh token, stored before it is used", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      // Tokens live 30 s, and 31 s pass between calls: every call after the first needs a refresh.
      const { layer, mock } = yield* setup({
        tokenLifetime: 30,
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1", account: "example" }).pipe(Layer.provide(store.layer))
      })
      yield* Effect.gen(function*() {
        const account = yield* AmoCRM.Account
        yield* account.getAccount({})
        yield* TestClock.adjust("31 seconds")
        yield* account.getAccount({})
        yield* TestClock.adjust("31 seconds")
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

  it.effect("follows the account to its new subdomain when a refresh is refused with 404, and tells the app", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const moved = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "renamed" })
      const { layer, mock } = yield* setup({
        tokenLifetime: 30,
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }).pipe(Layer.provide(store.layer))
      })
      const run = AmoCRM.Account.use((account) => account.getAccount({}))
      yield* run.pipe(Effect.provide(layer))
      // The token expires; the account moves: the old host refuses refreshes, the new one knows the refresh token.
      yield* TestClock.adjust("31 seconds")
      yield* mock.inject({ fault: { _tag: "Status", status: 404, body: { title: "Not Found", status: 404, detail: "Account moved" } }, operationId: "refreshAccessToken" })
      const refresh = Redacted.value(Option.getOrThrow(yield* store.memory.get("amocrm:example.amocrm.ru")).refreshToken!)
      moved.state.collection("refresh-tokens").insert({ id: refresh, client: demoClient.id })
      const relocations: Array<AmoCRM.OAuth.Relocation> = []
      const relocated = AmoCRM.layerAccount({
        subdomain: "example",
        baseUrl: mock.url,
        // the lookup on api_domain answers `renamed.amocrm.ru`; that host is the second mock
        servers: { "https://{api_domain}": moved.url, "https://renamed.amocrm.ru": moved.url },
        auth: AmoCRM.OAuth.layer({
          ...oauth,
          onRelocated: (relocation) => Effect.sync(() => void relocations.push(relocation))
        }).pipe(Layer.provide(store.layer)),
        rateLimit: false
      })
      yield* run.pipe(Effect.provide(relocated.pipe(Layer.provide(NodeHttpClient.layerUndici))))
      const seen = (yield* moved.requests).map((r) => r.path)
      expect(seen).toEqual(["/oauth2/account/current/subdomain", "/oauth2/access_token", "/api/v4/account"])
      expect((yield* moved.requests)[0]!.headers["x-refresh-token"]).toBe(refresh)
      expect(relocations).toEqual([{ from: "https://example.amocrm.ru", to: "https://renamed.amocrm.ru", subdomain: "renamed" }])
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
      const refresh = Redacted.value(Option.getOrThrow(yield* store.memory.get("amocrm:example.amocrm.ru")).refreshToken!)
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

  it.live("keeps each account's tokens under its own host in a shared store (no account names given)", () =>
    Effect.gen(function*() {
      const acme = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "acme" })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta" })
      const store = TokenStore.makeMemory()
      const account = (subdomain: string, domain: string, url: string) =>
        AmoCRM.layerAccount({
          subdomain,
          domain,
          baseUrl: url,
          auth: AmoCRM.OAuth.layer({ ...oauth, code: `${subdomain}-code` }),
          rateLimit: false
        }).pipe(Layer.provide(Layer.succeed(TokenStore.TokenStore, store)), Layer.provide(NodeHttpClient.layerUndici))
      const subdomainOf = AmoCRM.Account.use((a) => a.getAccount({})).pipe(Effect.map((a) => a.subdomain))
      const seen = [
        yield* subdomainOf.pipe(Effect.provide(account("acme", "amocrm.ru", acme.url))),
        yield* subdomainOf.pipe(Effect.provide(account("beta", "kommo.com", beta.url)))
      ]
      expect(seen).toEqual(["acme", "beta"])
      // Each account exchanged its own code; beta never saw acme's tokens.
      expect((yield* beta.requests).map((r) => r.path)).toEqual(["/oauth2/access_token", "/api/v4/account"])
      const acmeTokens = Option.getOrThrow(yield* store.get("amocrm:acme.amocrm.ru"))
      const betaTokens = Option.getOrThrow(yield* store.get("amocrm:beta.kommo.com"))
      expect(Redacted.value(acmeTokens.accessToken)).not.toBe(Redacted.value(betaTokens.accessToken))
      expect(Option.isNone(yield* store.get("amocrm:default"))).toBe(true)
    }).pipe(Effect.scoped))

  it.live("tries the code again after an exchange that failed on the way, instead of burning it", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }) })
      yield* mock.inject({ fault: { _tag: "Status", status: 503 }, operationId: "exchangeAuthorizationCode", times: 1 })
      const call = AmoCRM.Account.use((a) => a.getAccount({}))
      const [first, second] = yield* Effect.all([Effect.flip(call), call]).pipe(Effect.provide(layer))
      expect(first._tag).toBe("AuthenticationError")
      expect(first.message).toContain("503")
      expect(second.id).toBe(31000001)
      const grants = (yield* mock.requests).filter((r) => r.path === "/oauth2/access_token").map((r) => (r.body as { grant_type: string; code: string }))
      expect(grants.map((g) => [g.grant_type, g.code])).toEqual([["authorization_code", "auth-code-1"], ["authorization_code", "auth-code-1"]])
    }).pipe(Effect.scoped))

  it.effect("reads the redirect back, refusing a referer that is not an amoCRM or Kommo host", () =>
    Effect.gen(function*() {
      const query = (referer: string) => ({ code: "c", state: "s", referer })
      const ok = yield* AmoCRM.OAuth.parseRedirect(new URLSearchParams(query("Example.amoCRM.ru")))
      expect([ok.referer, ok.subdomain, ok.domain, Redacted.value(ok.code)]).toEqual(["example.amocrm.ru", "example", "amocrm.ru", "c"])
      expect((yield* AmoCRM.OAuth.parseRedirect(query("acme.kommo.com"))).domain).toBe("kommo.com")
      for (const referer of ["attacker.example.com", "example.amocrm.ru.attacker.com", "a.b.amocrm.ru", "example.amocrm.ru/x", "amocrm.ru", ""]) {
        const error = yield* Effect.flip(AmoCRM.OAuth.parseRedirect(query(referer)))
        expect([referer, error._tag]).toEqual([referer, "UntrustedHost"])
      }
    }))

  it.effect("does not follow a subdomain lookup to a host that is not amoCRM's, and sends it nothing", () =>
    Effect.gen(function*() {
      const store = recordingStore()
      const attacker = yield* AmoCRMMock.make({ rateLimit: false })
      const base = AmoCRMMock.definition({ rateLimit: false })
      const lookup = yield* Mock.make({
        ...base,
        handlers: {
          ...base.handlers,
          getAccountSubdomainByRefreshToken: () =>
            Effect.succeed({ status: 200, body: { id: 1, subdomain: "attacker", domain: "attacker.example.com", top_level_domain: "com" } })
        }
      })
      const { layer, mock } = yield* setup({
        tokenLifetime: 30,
        auth: AmoCRM.OAuth.layer({ ...oauth, code: "auth-code-1" }).pipe(Layer.provide(store.layer))
      })
      yield* AmoCRM.Account.use((a) => a.getAccount({})).pipe(Effect.provide(layer))
      yield* TestClock.adjust("31 seconds")
      yield* mock.inject({ fault: { _tag: "Status", status: 404, body: { title: "Not Found", status: 404, detail: "Account moved" } }, operationId: "refreshAccessToken" })
      const relocated = AmoCRM.layerAccount({
        subdomain: "example",
        baseUrl: mock.url,
        servers: { "https://{api_domain}": lookup.url, "https://attacker.example.com": attacker.url },
        auth: AmoCRM.OAuth.layer({ ...oauth }).pipe(Layer.provide(store.layer)),
        rateLimit: false
      })
      const error = yield* AmoCRM.Account.use((a) => a.getAccount({})).pipe(
        Effect.provide(relocated.pipe(Layer.provide(NodeHttpClient.layerUndici))),
        Effect.flip
      )
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("attacker.example.com")
      expect((yield* lookup.requests).map((r) => r.path)).toEqual(["/oauth2/account/current/subdomain"])
      expect(yield* attacker.requests).toEqual([])
    }).pipe(Effect.scoped))
})
