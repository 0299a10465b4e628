import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import { Jwt } from "@vendor-sdk/core"

const secret = "client-secret"
const Claims = Schema.Struct({ account_id: Schema.Int, user_id: Schema.Int })
const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url")
// Signed independently of the code under test.
const token = (claims: object, key = secret, alg = "HS256") => {
  const head = base64url(JSON.stringify({ alg, typ: "JWT" }))
  const body = base64url(JSON.stringify(claims))
  const hash = alg === "HS512" ? "sha512" : "sha256"
  return `${head}.${body}.${base64url(Crypto.createHmac(hash, key).update(`${head}.${body}`).digest())}`
}
const now = 1_700_000_000
const verify = (jwt: string, options: { audience?: string; algorithms?: ReadonlyArray<Jwt.Algorithm> } = {}) =>
  Jwt.verify({ vendor: "t", token: jwt, secret, algorithms: options.algorithms ?? ["HS256"], claims: Claims, audience: options.audience })

describe("Jwt.verify", () => {
  it.effect("accepts a valid token and decodes its claims", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const claims = yield* verify(token({ account_id: 1, user_id: 2, aud: "https://app.test", exp: now + 60 }), { audience: "https://app.test" })
      expect(claims).toEqual({ account_id: 1, user_id: 2 })
    }))

  it.effect("rejects a bad signature, a wrong audience, an expired and a not-yet-valid token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const reason = (jwt: string, audience?: string) => Effect.map(Effect.flip(verify(jwt, audience === undefined ? {} : { audience })), (e) => e.reason)
      expect(yield* reason(token({ account_id: 1, user_id: 2 }, "other-secret"))).toBe("signature")
      expect(yield* reason(token({ account_id: 1, user_id: 2, aud: "https://evil.test" }), "https://app.test")).toBe("audience")
      expect(yield* reason(token({ account_id: 1, user_id: 2, exp: now - 120 }))).toBe("expired")
      expect(yield* reason(token({ account_id: 1, user_id: 2, nbf: now + 120 }))).toBe("not-yet-valid")
      expect(yield* reason("not.a-jwt")).toBe("malformed")
      expect(yield* reason(token({ account_id: "x", user_id: 2 }))).toBe("claims")
    }))

  it.effect("accepts only the algorithms asked for (HS512 for Salesbot tokens)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const hs512 = token({ account_id: 1, user_id: 2 }, secret, "HS512")
      expect((yield* Effect.flip(verify(hs512))).reason).toBe("algorithm")
      expect(yield* verify(hs512, { algorithms: ["HS512"] })).toEqual({ account_id: 1, user_id: 2 })
    }))

  it.effect("signs tokens the verifier accepts", () =>
    Effect.gen(function*() {
      const signed = yield* Jwt.sign({ account_id: 3, user_id: 4 }, secret, "HS512")
      expect(yield* verify(signed, { algorithms: ["HS512"] })).toEqual({ account_id: 3, user_id: 4 })
    }))
})
