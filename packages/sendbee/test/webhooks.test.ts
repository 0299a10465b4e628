/**
 * Incoming webhooks: X-Authorization tokens are built here independently with node:crypto; the
 * package accepts fresh ones and rejects bad, malformed, missing, stale and future ones (unlike the
 * official Python client, which never rejects an old token), then decodes the body by webhook type.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import { Sendbee } from "@vendor-sdk/sendbee"

const secret = "webhook-api-secret"
const now = 1_700_000_000
const options = { secret: Redacted.make(secret) }

const token = (seconds: number, signWith = secret) =>
  Buffer.from(`${seconds}.${Crypto.createHmac("sha256", signWith).update(String(seconds)).digest("hex")}`).toString("base64")

const delivery = (payload: unknown, authorization: string | null = token(now)) => ({
  headers: authorization === null ? {} : { "X-Authorization": authorization },
  body: typeof payload === "string" ? payload : JSON.stringify(payload)
})

const rejection = (effect: Effect.Effect<unknown, { readonly _tag: string }>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag === "InvalidSignature" ? (error as any).reason : error._tag)

describe("webhooks", () => {
  it.effect("accepts a fresh token and decodes the body as the webhook type of the route", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const status = yield* Sendbee.Webhooks.decode("messageStatus", options, delivery({ conversation_id: "c-1", status: "delivered" }))
      expect(status).toEqual({ _tag: "MessageStatus", payload: { conversation_id: "c-1", status: "delivered" } })
      const received = yield* Sendbee.Webhooks.decode("messageReceived", { secret }, delivery({ text: "hi" }))
      expect(received._tag).toBe("MessageReceived")
      expect((yield* Sendbee.Webhooks.decode("contactCreated", options, delivery({ id: "x" })))._tag).toBe("ContactCreated")
      expect((yield* Sendbee.Webhooks.decode("messageSent", options, delivery({ id: "y" })))._tag).toBe("MessageSent")
    }))

  it.effect("rejects a token signed with another secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const reason = yield* rejection(Sendbee.Webhooks.decode("messageStatus", options, delivery({}, token(now, "other-secret"))))
      expect(reason).toBe("mismatch")
    }))

  it.effect("rejects a missing or malformed token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({}, null)))).toBe("missing")
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({}, "not base64 at all!")))).toBe("malformed")
      const noDot = Buffer.from(`${now}${"a".repeat(64)}`).toString("base64")
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({}, noDot)))).toBe("malformed")
      // Upper-case hex is not what Sendbee sends.
      const upper = Buffer.from(`${now}.${Crypto.createHmac("sha256", secret).update(String(now)).digest("hex").toUpperCase()}`).toString("base64")
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({}, upper)))).toBe("malformed")
    }))

  it.effect("accepts a token exactly 15 minutes old and rejects one a second older", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime((now + 15 * 60) * 1000)
      yield* Sendbee.Webhooks.verify(options, delivery({}))
      yield* TestClock.adjust("1 second")
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({})))).toBe("stale")
    }))

  it.effect("rejects a day-old token, which the official Python client would still accept", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime((now + 24 * 3600) * 1000)
      expect(yield* rejection(Sendbee.Webhooks.decode("messageReceived", options, delivery({ text: "replayed" })))).toBe("stale")
    }))

  it.effect("takes a configurable maximum age", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime((now + 120) * 1000)
      expect(yield* rejection(Sendbee.Webhooks.verify({ ...options, maxAge: "1 minute" }, delivery({})))).toBe("stale")
      yield* Sendbee.Webhooks.verify({ ...options, maxAge: "1 hour" }, delivery({}))
    }))

  it.effect("rejects a token from the future beyond the skew, and accepts one within it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      yield* Sendbee.Webhooks.verify(options, delivery({}, token(now + 60)))
      expect(yield* rejection(Sendbee.Webhooks.verify(options, delivery({}, token(now + 61))))).toBe("future")
      expect(yield* rejection(Sendbee.Webhooks.verify({ ...options, skew: "5 seconds" }, delivery({}, token(now + 10))))).toBe("future")
    }))

  it.effect("checks the token before looking at the body", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      expect(yield* rejection(Sendbee.Webhooks.decode("messageStatus", options, delivery("{not json", token(now, "x"))))).toBe("mismatch")
    }))

  it.effect("reports a verified body that is not a JSON object", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const notJson = yield* Effect.flip(Sendbee.Webhooks.decode("messageStatus", options, delivery("{not json")))
      expect(notJson).toMatchObject({ _tag: "InvalidPayload", kind: "messageStatus", message: "The body is not JSON" })
      const array = yield* Effect.flip(Sendbee.Webhooks.decode("contactCreated", options, delivery([1, 2])))
      expect(array._tag).toBe("InvalidPayload")
    }))

  it.effect("signs like Sendbee, for tests of webhook handlers", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000 + 400)
      const headers = yield* Sendbee.Webhooks.sign(secret)
      expect(headers["x-authorization"]).toBe(token(now))
      yield* Sendbee.Webhooks.verify(options, { headers, body: "{}" })
    }))

  it.effect("reads the delivery of an HttpServerRequest", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const request = new Request("http://localhost/hooks/status", {
        method: "POST",
        headers: { "content-type": "application/json", "x-authorization": token(now) },
        body: JSON.stringify({ conversation_id: "c-9" })
      })
      const event = yield* Sendbee.Webhooks.fromRequest("messageStatus", options).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request))
      )
      expect(event).toEqual({ _tag: "MessageStatus", payload: { conversation_id: "c-9" } })
    }))

  it.effect("fails with InvalidPayload, not a misleading parse error, when the body cannot be read", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const request = new Request("http://localhost/hooks/status", {
        method: "POST",
        headers: { "content-type": "application/json", "x-authorization": token(now) },
        body: new ReadableStream({ pull: (controller) => controller.error(new Error("connection reset")) }),
        duplex: "half"
      } as RequestInit)
      const error = yield* Sendbee.Webhooks.fromRequest("messageStatus", options).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request)),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidPayload")
      expect(error.message).toMatch(/^The body could not be read/)
    }))
})
