/**
 * Incoming webhooks: the signature is computed here independently with node:crypto, then the
 * package verifies and decodes by event.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import * as Crypto from "node:crypto"
import { HelpScout } from "@vendor-sdk/helpscout"

const secret = "webhook-secret"
const delivery = (event: string, payload: unknown, signWith = secret) => {
  const body = JSON.stringify(payload)
  return {
    body,
    headers: {
      "X-HelpScout-Event": event,
      "X-HelpScout-Signature": Crypto.createHmac("sha1", signWith).update(body).digest("base64")
    }
  }
}

describe("incoming webhooks", () => {
  it.effect("accepts a signed conversation event and decodes it, mailbox and string tags included", () =>
    Effect.gen(function*() {
      const event = yield* HelpScout.IncomingWebhooks.decode(
        Redacted.make(secret),
        delivery("convo.created", {
          id: 12,
          number: 3,
          subject: "Refund",
          status: "active",
          createdAt: "2024-03-01T10:00:00Z",
          mailbox: { id: 1, name: "Support" },
          tags: ["vip", { id: 2, tag: "billing", color: "#fff" }]
        })
      )
      expect(event._tag).toBe("Conversation")
      if (event._tag !== "Conversation") return
      expect(event.event).toBe("convo.created")
      expect(event.conversation.mailbox?.name).toBe("Support")
      expect(event.conversation.tags?.[0]).toBe("vip")
    }))

  it.effect("decodes customer events and the test ping", () =>
    Effect.gen(function*() {
      const customer = yield* HelpScout.IncomingWebhooks.decode(secret, delivery("customer.updated", { id: 5, firstName: "Ana" }))
      expect(customer._tag === "Customer" && customer.customer.firstName).toBe("Ana")
      const ping = yield* HelpScout.IncomingWebhooks.decode(secret, delivery("helpscout.test", {}))
      expect(ping._tag).toBe("Test")
    }))

  it.effect("keeps undocumented event families, undecoded", () =>
    Effect.gen(function*() {
      const other = yield* HelpScout.IncomingWebhooks.decode(secret, delivery("satisfaction.ratings", { rating: "great" }))
      expect(other).toEqual({ _tag: "Other", event: "satisfaction.ratings", payload: { rating: "great" } })
    }))

  it.effect("rejects a signature made with another secret", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HelpScout.IncomingWebhooks.decode(secret, delivery("convo.created", { id: 1 }, "other")))
      expect(error._tag).toBe("InvalidSignature")
      if (error._tag === "InvalidSignature") expect(error.reason).toBe("mismatch")
    }))

  it.effect("rejects a body changed after signing", () =>
    Effect.gen(function*() {
      const signed = delivery("convo.created", { id: 1 })
      const error = yield* Effect.flip(HelpScout.IncomingWebhooks.verify(secret, { ...signed, body: signed.body.replace("1", "2") }))
      expect(error.reason).toBe("mismatch")
    }))

  it.effect("rejects a delivery without a signature", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HelpScout.IncomingWebhooks.verify(secret, { headers: {}, body: "{}" }))
      expect(error.reason).toBe("missing")
    }))

  it.effect("reports a signed body that does not match its event's schema", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HelpScout.IncomingWebhooks.decode(secret, delivery("convo.created", { id: "twelve" })))
      expect(error._tag).toBe("InvalidPayload")
      if (error._tag === "InvalidPayload") expect(error.path).toEqual(["id"])
    }))

  it.effect("signs like Help Scout, for tests of webhook handlers", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ id: 1 })
      const headers = yield* HelpScout.IncomingWebhooks.sign(secret, "convo.created", body)
      expect(headers["x-helpscout-signature"]).toBe(Crypto.createHmac("sha1", secret).update(body).digest("base64"))
      yield* HelpScout.IncomingWebhooks.verify(secret, { headers, body })
    }))

  it.effect("reads the delivery of an HttpServerRequest, and fails with InvalidPayload when its body cannot be read", () =>
    Effect.gen(function*() {
      const { body, headers } = delivery("convo.deleted", { id: 12 })
      const event = yield* HelpScout.IncomingWebhooks.fromRequest(secret).pipe(
        Effect.provideService(
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(new Request("http://localhost/hooks", { method: "POST", headers, body }))
        )
      )
      expect(event._tag).toBe("Conversation")
      const broken = new Request("http://localhost/hooks", {
        method: "POST",
        headers,
        body: new ReadableStream({ pull: (controller) => controller.error(new Error("connection reset")) }),
        duplex: "half"
      } as RequestInit)
      const error = yield* HelpScout.IncomingWebhooks.fromRequest(secret).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(broken)),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidPayload")
      expect(error.message).toMatch(/^The body could not be read/)
    }))
})
