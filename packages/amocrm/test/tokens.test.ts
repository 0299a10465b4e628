/**
 * Disposable tokens: widget tokens (HS256, aud = origin of the redirect URI) and Salesbot tokens
 * (HS512) are accepted with typed claims; a bad signature, another audience, an expired token or the
 * wrong algorithm is a typed InvalidToken.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Jwt } from "@vendor-sdk/core"

const secret = "integration-client-secret"
const now = 1_700_000_000
const redirectUri = "https://integration.example.test/amocrm/callback?x=1"

const widgetClaims = {
  jti: "5c8b1f0e-0000-4000-8000-00000000000a",
  iss: "https://example.amocrm.ru",
  aud: "https://integration.example.test",
  client_uuid: "00000000-0000-4000-8000-000000000001",
  subdomain: "example",
  account_id: 31000001,
  user_id: 10000001,
  is_admin: true,
  iat: now,
  nbf: now,
  exp: now + 1800
}

const botClaims = {
  client_uuid: "00000000-0000-4000-8000-000000000001",
  iss: "https://example.amocrm.ru",
  subdomain: "example",
  account_id: 31000001,
  entity_id: 1000001,
  entity_type: 2,
  bot_type: "salesbot",
  iat: now,
  exp: now + 600
}

const at = (seconds: number) => TestClock.setTime(seconds * 1000)

/** Why a token was refused: `InvalidToken`'s reason, or the tag of another failure. */
const reasonOf = (error: { readonly _tag: string; readonly reason?: string }) => error.reason ?? error._tag

describe("disposable tokens", () => {
  it.effect("accepts a widget token and returns its claims", () =>
    Effect.gen(function*() {
      yield* at(now + 60)
      const token = yield* Jwt.sign(widgetClaims, secret, "HS256")
      const claims = yield* AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri })
      expect(claims.account_id).toBe(31000001)
      expect(claims.user_id).toBe(10000001)
      expect(claims.subdomain).toBe("example")
    }))

  it.effect("rejects a widget token signed with another secret", () =>
    Effect.gen(function*() {
      yield* at(now + 60)
      const token = yield* Jwt.sign(widgetClaims, "another-secret", "HS256")
      const error = yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri }))
      expect(reasonOf(error)).toBe("signature")
    }))

  it.effect("rejects a widget token meant for another integration host", () =>
    Effect.gen(function*() {
      yield* at(now + 60)
      const token = yield* Jwt.sign({ ...widgetClaims, aud: "https://other.example.test" }, secret, "HS256")
      const error = yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri }))
      expect(reasonOf(error)).toBe("audience")
    }))

  it.effect("rejects an expired widget token, and one not valid yet", () =>
    Effect.gen(function*() {
      const token = yield* Jwt.sign(widgetClaims, secret, "HS256")
      yield* at(now + 1800 + 31)
      expect(reasonOf(yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri })))).toBe(
        "expired"
      )
      yield* at(now - 120)
      expect(reasonOf(yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri })))).toBe(
        "not-yet-valid"
      )
    }))

  it.effect("rejects a widget token signed with HS512 and a token without the widget claims", () =>
    Effect.gen(function*() {
      yield* at(now + 60)
      const hs512 = yield* Jwt.sign(widgetClaims, secret, "HS512")
      expect(reasonOf(yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token: hs512, clientSecret: secret, redirectUri }))))
        .toBe("algorithm")
      const { user_id: _, ...partial } = widgetClaims
      const incomplete = yield* Jwt.sign(partial, secret, "HS256")
      expect(
        reasonOf(yield* Effect.flip(AmoCRM.DisposableTokens.verifyWidgetToken({ token: incomplete, clientSecret: secret, redirectUri })))
      ).toBe("claims")
    }))

  it.effect("accepts a Salesbot token (HS512) and rejects a tampered one", () =>
    Effect.gen(function*() {
      yield* at(now + 10)
      const token = yield* Jwt.sign(botClaims, secret, "HS512")
      const claims = yield* AmoCRM.DisposableTokens.verifyBotToken({ token, clientSecret: secret })
      expect(claims.bot_type).toBe("salesbot")
      expect(claims.entity_id).toBe(1000001)
      const [header, , signature] = token.split(".")
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...botClaims, account_id: 1 })).toString("base64url")}.${signature}`
      expect(reasonOf(yield* Effect.flip(AmoCRM.DisposableTokens.verifyBotToken({ token: forged, clientSecret: secret })))).toBe("signature")
    }))

  it.effect("fails with InvalidUrl, inside the Effect, when the redirect or receiver URL is not an absolute http(s) URL", () =>
    Effect.gen(function*() {
      yield* at(now + 60)
      const token = yield* Jwt.sign(widgetClaims, secret, "HS256")
      const verify = (url: string) => AmoCRM.DisposableTokens.verifyWidgetToken({ token, clientSecret: secret, redirectUri: url })
      const relative = yield* Effect.flip(Effect.suspend(() => verify("/amocrm/callback")))
      expect(relative._tag).toBe("InvalidUrl")
      expect(reasonOf(yield* Effect.flip(Effect.suspend(() => verify("mailto:someone@example.test"))))).toBe("InvalidUrl")
      const bot = yield* Jwt.sign({ ...botClaims, aud: "https://bots.example.test" }, secret, "HS512")
      expect(
        reasonOf(yield* Effect.flip(Effect.suspend(() => AmoCRM.DisposableTokens.verifyBotToken({ token: bot, clientSecret: secret, receiverUrl: "bots" }))))
      ).toBe("InvalidUrl")
      // The receiver's path does not matter, as in the official SDK: only scheme, host and port.
      const claims = yield* AmoCRM.DisposableTokens.verifyBotToken({ token: bot, clientSecret: secret, receiverUrl: "https://bots.example.test/salesbot/hook" })
      expect(claims.entity_id).toBe(1000001)
    }))
})
