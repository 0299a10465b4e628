/**
 * Account layers are built apart: effect memoises layers by identity, also across nested
 * `Effect.provide`s, and every account layer holds the same generated layers, so without isolation an
 * inner account would run on the outer account's client and token.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"

const accountName = AmoCRM.Account.use((account) => account.getAccount({})).pipe(Effect.map((account) => account.subdomain))

describe("account layers", () => {
  it.live("a nested account layer uses its own host and token, not the outer account's", () =>
    Effect.gen(function*() {
      const acme = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "acme", staticTokens: ["acme-token"] })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta", staticTokens: ["beta-token"] })
      const account = (name: string, url: string) =>
        AmoCRM.layerAccount({ subdomain: name, baseUrl: url, auth: AmoCRM.OAuth.longLived(`${name}-token`), rateLimit: false }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      const seen = yield* Effect.gen(function*() {
        const outer = yield* accountName
        const inner = yield* accountName.pipe(Effect.provide(account("beta", beta.url)))
        const outerAgain = yield* accountName
        return [outer, inner, outerAgain]
      }).pipe(Effect.provide(account("acme", acme.url)))
      expect(seen).toEqual(["acme", "beta", "acme"])
      expect((yield* acme.requests).map((r) => r.headers["authorization"])).toEqual(["Bearer acme-token", "Bearer acme-token"])
      expect((yield* beta.requests).map((r) => r.headers["authorization"])).toEqual(["Bearer beta-token"])
    }).pipe(Effect.scoped))

  it.live("the same account layer provided again inside itself is built once (one code exchange)", () =>
    Effect.gen(function*() {
      const mock = yield* AmoCRMMock.make({ rateLimit: false })
      const live = AmoCRM.layerAccount({
        subdomain: "example",
        baseUrl: mock.url,
        auth: AmoCRM.OAuth.layer({
          clientId: AmoCRMMock.demoClient.id,
          clientSecret: AmoCRMMock.demoClient.secret,
          redirectUri: AmoCRMMock.demoClient.redirectUri,
          code: "code-1"
        }),
        rateLimit: false
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      yield* Effect.andThen(accountName, accountName.pipe(Effect.provide(live))).pipe(Effect.provide(live))
      expect((yield* mock.requests).map((r) => r.path)).toEqual(["/oauth2/access_token", "/api/v4/account", "/api/v4/account"])
    }).pipe(Effect.scoped))

  it.live("layerConfig accounts nest like layerAccount ones", () =>
    Effect.gen(function*() {
      const acme = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "acme", staticTokens: ["acme-token"] })
      const beta = yield* AmoCRMMock.make({ rateLimit: false, subdomain: "beta", staticTokens: ["beta-token"] })
      const config = ConfigProvider.fromUnknown({
        ACME_SUBDOMAIN: "acme",
        ACME_BASE_URL: acme.url,
        ACME_ACCESS_TOKEN: "acme-token",
        BETA_SUBDOMAIN: "beta",
        BETA_BASE_URL: beta.url,
        BETA_ACCESS_TOKEN: "beta-token"
      })
      const account = (prefix: string) => AmoCRM.layerConfig({ prefix }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const seen = yield* Effect.all([accountName, accountName.pipe(Effect.provide(account("BETA")))]).pipe(
        Effect.provide(account("ACME")),
        Effect.provide(ConfigProvider.layer(config))
      )
      expect(seen).toEqual(["acme", "beta"])
      expect((yield* beta.requests).length).toBe(1)
    }).pipe(Effect.scoped))
})
