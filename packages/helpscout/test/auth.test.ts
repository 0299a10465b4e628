/**
 * OAuth: lazy tokens, 401 → refresh → retry once, refresh tokens rotated and stored before use,
 * single-flight renewal under 50 concurrent calls, renewal before expiry, and secrets kept out of
 * logs and errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, Redacted, References } from "effect"
import { TestClock } from "effect/testing"
import { HelpScout } from "@vendor-sdk/helpscout"
import { TokenStore } from "@vendor-sdk/core"
import { demoClient } from "@vendor-sdk/helpscout/mock"
import { setup } from "./support.ts"

const tokenRequests = (requests: ReadonlyArray<{ readonly path: string; readonly body: unknown }>) =>
  requests.filter((r) => r.path === "/v2/oauth2/token").map((r) => (r.body as { grant_type: string }).grant_type)

const credentials = { clientId: demoClient.id, clientSecret: demoClient.secret }

describe("auth", () => {
  it.live("fetches a client-credentials token lazily, once, and sends it as a bearer", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: HelpScout.Auth.clientCredentials(credentials) })
      expect(yield* mock.requests).toEqual([])
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        yield* mailboxes.listMailboxes()
        yield* mailboxes.getMailbox({ mailboxId: 1 })
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(tokenRequests(requests)).toEqual(["client_credentials"])
      expect(requests[1]?.headers["authorization"]).toMatch(/^Bearer hs-access-/)
      expect(requests[0]?.headers["content-type"]).toContain("application/json")
    }).pipe(Effect.scoped))

  it.live("answers a 401 with one refresh and one retry, and stores the rotated refresh token", () =>
    Effect.gen(function*() {
      const memory = TokenStore.makeMemory()
      const { layer, mock } = yield* setup({
        auth: HelpScout.Auth.authorizationCode({ ...credentials, code: "code-1" }).pipe(
          Layer.provide(Layer.succeed(TokenStore.TokenStore, memory))
        )
      })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        yield* mailboxes.listMailboxes()
        const firstRefresh = Option.getOrThrow(yield* memory.get("helpscout:default")).refreshToken
        // The vendor revokes the access token.
        for (const token of mock.state.collection("tokens").list()) mock.state.collection("tokens").remove(token.id)
        const again = yield* mailboxes.listMailboxes()
        expect(again._embedded?.mailboxes?.length).toBe(2)
        const stored = Option.getOrThrow(yield* memory.get("helpscout:default"))
        expect(Redacted.value(stored.refreshToken!)).not.toBe(Redacted.value(firstRefresh!))
        // The vendor rotated the refresh token: the one stored is the one that works now.
        expect(mock.state.collection("refresh-tokens").get(Redacted.value(stored.refreshToken!))).toBeDefined()
        expect(mock.state.collection("refresh-tokens").get(Redacted.value(firstRefresh!))).toBeUndefined()
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(requests.map((r) => `${r.method} ${r.path} ${r.headers["authorization"] === undefined ? "" : "bearer"}`.trim())).toEqual([
        "POST /v2/oauth2/token",
        "GET /v2/mailboxes bearer",
        "GET /v2/mailboxes bearer",
        "POST /v2/oauth2/token",
        "GET /v2/mailboxes bearer"
      ])
      expect(tokenRequests(requests)).toEqual(["authorization_code", "refresh_token"])
    }).pipe(Effect.scoped))

  it.live("persists each new token set before the request that uses it", () =>
    Effect.gen(function*() {
      const memory = TokenStore.makeMemory()
      const requestsAtStore: Array<number> = []
      let count: Effect.Effect<number> = Effect.succeed(0)
      const store = Layer.succeed(TokenStore.TokenStore, {
        ...memory,
        set: (key, tokens) => Effect.flatMap(count, (n) => Effect.sync(() => requestsAtStore.push(n))).pipe(Effect.andThen(memory.set(key, tokens)))
      })
      const { layer, mock } = yield* setup({
        auth: HelpScout.Auth.authorizationCode({ ...credentials, code: "code-1" }).pipe(Layer.provide(store))
      })
      count = Effect.map(mock.requests, (r) => r.length)
      yield* HelpScout.Mailboxes.use((m) => m.listMailboxes()).pipe(Effect.provide(layer))
      // Stored when only the token request had reached the vendor, before the API call.
      expect(requestsAtStore).toEqual([1])
    }).pipe(Effect.scoped))

  it.live("renews single-flight: 50 concurrent calls make one token request, and one more after a mass 401", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: HelpScout.Auth.clientCredentials(credentials) })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        yield* Effect.all(Array.from({ length: 50 }, () => mailboxes.getMailbox({ mailboxId: 1 })), { concurrency: "unbounded" })
        expect(tokenRequests(yield* mock.requests)).toEqual(["client_credentials"])
        for (const token of mock.state.collection("tokens").list()) mock.state.collection("tokens").remove(token.id)
        yield* Effect.all(Array.from({ length: 50 }, () => mailboxes.getMailbox({ mailboxId: 1 })), { concurrency: "unbounded" })
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(tokenRequests(requests)).toEqual(["client_credentials", "client_credentials"])
      expect(requests.filter((r) => r.path === "/v2/mailboxes/1").length).toBe(150)
    }).pipe(Effect.scoped))

  it.effect("renews a token before it expires, by the Clock", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: HelpScout.Auth.clientCredentials(credentials), tokenLifetime: 120 })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        yield* mailboxes.listMailboxes()
        yield* TestClock.adjust("59 seconds")
        yield* mailboxes.listMailboxes()
        expect(tokenRequests(yield* mock.requests).length).toBe(1)
        // 61 s in, the token is within the 60 s renewal margin of its 120 s lifetime.
        yield* TestClock.adjust("2 seconds")
        yield* mailboxes.listMailboxes()
      }).pipe(Effect.provide(layer))
      expect(tokenRequests(yield* mock.requests).length).toBe(2)
    }).pipe(Effect.scoped))

  it.effect("renews a token shorter-lived than twice the margin at half its lifetime, not on every call", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: HelpScout.Auth.clientCredentials(credentials), tokenLifetime: 30 })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        yield* mailboxes.listMailboxes()
        yield* TestClock.adjust("10 seconds")
        yield* mailboxes.listMailboxes()
        expect(tokenRequests(yield* mock.requests).length).toBe(1)
        yield* TestClock.adjust("6 seconds")
        yield* mailboxes.listMailboxes()
      }).pipe(Effect.provide(layer))
      expect(tokenRequests(yield* mock.requests).length).toBe(2)
    }).pipe(Effect.scoped))

  it.live("exchanges the code again when the first exchange failed, and never after one succeeded", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({
        auth: HelpScout.Auth.authorizationCode({ ...credentials, code: "code-1" }),
        retry: HelpScout.Retry.disabled
      })
      yield* mock.inject({ fault: { _tag: "Status", status: 503 }, times: 1 })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        const error = yield* Effect.flip(mailboxes.listMailboxes())
        expect(error._tag === "AuthenticationError" && error.status).toBe(503)
        yield* mailboxes.listMailboxes()
      }).pipe(Effect.provide(layer))
      expect(tokenRequests(yield* mock.requests)).toEqual(["authorization_code", "authorization_code"])
    }).pipe(Effect.scoped))

  it.live("announces new tokens only once stored, also when the store failed the first time", () =>
    Effect.gen(function*() {
      const memory = TokenStore.makeMemory()
      let failures = 1
      const store = Layer.succeed(TokenStore.TokenStore, {
        ...memory,
        set: (key, tokens) =>
          Effect.suspend(() =>
            failures-- > 0 ? Effect.fail(new TokenStore.TokenStoreError({ message: "disk full" })) : memory.set(key, tokens)
          )
      })
      const announced: Array<boolean> = []
      const { layer } = yield* setup({
        auth: HelpScout.Auth.clientCredentials({
          ...credentials,
          onTokenRefreshed: (tokens) =>
            memory.get("helpscout:default").pipe(
              Effect.map((stored) => void announced.push(Option.isSome(stored) && stored.value === tokens)),
              Effect.orDie
            )
        }).pipe(Layer.provide(store))
      })
      yield* Effect.gen(function*() {
        const mailboxes = yield* HelpScout.Mailboxes
        const error = yield* Effect.flip(mailboxes.listMailboxes())
        expect(error.message).toContain("Cannot store renewed tokens")
        expect(announced).toEqual([])
        yield* mailboxes.listMailboxes()
      }).pipe(Effect.provide(layer))
      expect(announced).toEqual([true])
    }).pipe(Effect.scoped))

  it.live("fails with AuthenticationError, without the secret, when the app is unknown", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({
        auth: HelpScout.Auth.clientCredentials({ clientId: "demo-app", clientSecret: "wrong-secret-value" }),
        retry: HelpScout.Retry.disabled
      })
      const error = yield* HelpScout.Mailboxes.use((m) => m.listMailboxes()).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("Token request refused (HTTP 401)")
      expect(JSON.stringify(error)).not.toContain("wrong-secret-value")
      expect(String(error)).not.toContain("wrong-secret-value")
    }).pipe(Effect.scoped))

  it.live("keeps tokens out of debug logs", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const { layer } = yield* setup({ auth: HelpScout.Auth.bearer("super-secret-bearer"), staticTokens: ["super-secret-bearer"] })
      yield* HelpScout.Webhooks.use((w) =>
        w.createWebhook({ body: { url: "https://example.test/hook", events: ["convo.created"], secret: Redacted.make("hook-secret") } })
      ).pipe(Effect.provide(layer), Effect.provide(capture), Effect.provideService(References.MinimumLogLevel, "Debug"))
      const text = lines.join("\n")
      expect(text).toContain("POST")
      expect(text).toContain("/v2/webhooks")
      expect(text).not.toContain("super-secret-bearer")
      expect(text).not.toContain("hook-secret")
    }).pipe(Effect.scoped))
})
