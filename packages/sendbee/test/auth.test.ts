/**
 * Request signing: X-Api-Key plus an X-Auth-Token whose bytes are computed here independently with
 * node:crypto, fresh for every request and every retry by the Clock, and checked by the mock, which
 * rejects wrong secrets, stale tokens and unknown keys. Secrets never reach logs or errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Logger, References } from "effect"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import { Auth } from "@vendor-sdk/core"
import { Testing } from "@vendor-sdk/mock"
import { Sendbee } from "@vendor-sdk/sendbee"
import { apiKey, apiSecret, lastRequest, setup, sleepLog } from "./support.ts"

/** The token as the reference defines it, built without the package's code. */
const expectedToken = (seconds: number, secret: string) =>
  Buffer.from(`${seconds}.${Crypto.createHmac("sha256", secret).update(String(seconds)).digest("hex")}`, "ascii").toString("base64")

const tokenSeconds = (token: string | undefined) => Number(Buffer.from(token ?? "", "base64").toString("ascii").split(".")[0])

const listTags = Sendbee.ContactTags.use((tags) => tags.listContactTags())

describe("auth", () => {
  it.effect("sends X-Api-Key and the exact X-Auth-Token bytes for a fixed clock and secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_987)
      const { layer, mock } = yield* setup()
      yield* listTags.pipe(Effect.provide(layer))
      const request = yield* lastRequest(mock)
      expect(request.headers["x-api-key"]).toBe(apiKey)
      expect(request.headers["x-auth-token"]).toBe(expectedToken(1_700_000_000, apiSecret))
      // A known vector: the message is the decimal seconds, the key the secret, the digest lower-case hex.
      expect(Buffer.from(request.headers["x-auth-token"]!, "base64").toString("ascii")).toMatch(/^1700000000\.[0-9a-f]{64}$/)
      expect(request.headers["user-agent"]).toBe("vendor-sdk/0.1.0 (sendbee)")
      expect(request.headers["accept"]).toBe("application/json")
    }).pipe(Effect.scoped))

  it.effect("sends the endpoint's User-Agent, and the credentials' one over it", () =>
    Effect.gen(function*() {
      const fromEndpoint = yield* setup({ endpointHeaders: { "User-Agent": "acme-support/2.1" } })
      yield* listTags.pipe(Effect.provide(fromEndpoint.layer))
      expect((yield* lastRequest(fromEndpoint.mock)).headers["user-agent"]).toBe("acme-support/2.1")
      const fromCredentials = yield* setup({
        endpointHeaders: { "User-Agent": "acme-support/2.1" },
        auth: Sendbee.layerAuth({ apiKey, apiSecret, userAgent: "acme-sendbee/3.0" })
      })
      yield* listTags.pipe(Effect.provide(fromCredentials.layer))
      expect((yield* lastRequest(fromCredentials.mock)).headers["user-agent"]).toBe("acme-sendbee/3.0")
    }).pipe(Effect.scoped))

  it.effect("makes a fresh token for every request from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        yield* listTags
        yield* TestClock.adjust("5 seconds")
        yield* listTags
      }).pipe(Effect.provide(layer))
      const tokens = (yield* mock.requests).map((r) => r.headers["x-auth-token"])
      expect(tokens).toEqual([expectedToken(1_700_000_000, apiSecret), expectedToken(1_700_000_005, apiSecret)])
    }).pipe(Effect.scoped))

  it.effect("signs each retry anew, so a retry after a long Retry-After is not stale", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const { layer, mock } = yield* setup()
      yield* mock.inject({ operationId: "listContactTags", times: 1, fault: { _tag: "Status", status: 429, retryAfter: 30 } })
      const clock = yield* sleepLog
      const fiber = yield* listTags.pipe(Effect.provide(layer), clock.provide, Effect.forkChild)
      yield* Testing.settleUntil(clock.started("30 seconds"))
      yield* TestClock.adjust("30 seconds")
      yield* Fiber.join(fiber)
      const tokens = (yield* mock.requests).map((r) => r.headers["x-auth-token"])
      expect(tokens.map(tokenSeconds)).toEqual([1_700_000_000, 1_700_000_030])
      expect(tokens[1]).toBe(expectedToken(1_700_000_030, apiSecret))
    }).pipe(Effect.scoped))

  it.effect("is refused with AuthenticationError when signed with another secret; the secret is in no error", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({
        auth: Sendbee.layerAuth({ apiKey, apiSecret: "not-the-secret-xyz" }),
        retry: Sendbee.Retry.disabled
      })
      const error = yield* listTags.pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      if (error._tag !== "AuthenticationError") return
      expect(error.status).toBe(401)
      expect(error.code).toBe("authentication_error")
      expect(error.message).toContain("signature does not match")
      expect(JSON.stringify(error)).not.toContain("not-the-secret-xyz")
      expect(String(error)).not.toContain("not-the-secret-xyz")
    }).pipe(Effect.scoped))

  it.effect("is refused when the token is older than the vendor's tolerance", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      // A token fixed 16 minutes ago, as a client that reused one would send it.
      const stale = expectedToken(1_700_000_000 - 16 * 60, apiSecret)
      const { layer } = yield* setup({
        auth: Sendbee.Auth.layer(Auth.headers({ "X-Api-Key": apiKey, "X-Auth-Token": stale })),
        retry: Sendbee.Retry.disabled
      })
      const error = yield* listTags.pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("older than")
    }).pipe(Effect.scoped))

  it.effect("is refused with an unknown API key", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ auth: Sendbee.layerAuth({ apiKey: "other-key", apiSecret }), retry: Sendbee.Retry.disabled })
      const error = yield* listTags.pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toBe("Invalid API key")
    }).pipe(Effect.scoped))

  it.effect("keeps the key, the token and the secret out of debug logs", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const { layer, mock } = yield* setup()
      yield* Sendbee.Contacts.use((c) => c.subscribeContact({ body: { phone: "+385910000001", name: "Logged" } })).pipe(
        Effect.provide(layer),
        Effect.provide(capture),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      const token = (yield* lastRequest(mock)).headers["x-auth-token"]!
      const text = lines.join("\n")
      expect(text).toContain("/contacts/subscribe")
      expect(text).not.toContain(apiKey)
      expect(text).not.toContain(apiSecret)
      expect(text).not.toContain(token)
    }).pipe(Effect.scoped))
})
