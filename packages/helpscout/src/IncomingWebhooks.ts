/**
 * Incoming Help Scout webhooks.
 *
 * Help Scout signs each delivery: `X-HelpScout-Signature` is base64(HMAC-SHA1(raw body, secret)).
 * {@link verify} checks it in constant time; {@link decode} verifies and then decodes the body by
 * `X-HelpScout-Event` into a typed {@link Event}. Webhook bodies differ from API responses: a
 * conversation carries its full mailbox and may list tags as plain strings, so the schemas here
 * extend the generated ones.
 *
 * ```ts
 * const handler = Effect.gen(function*() {
 *   const event = yield* HelpScout.IncomingWebhooks.fromRequest(secret)
 *   if (event._tag === "Conversation") yield* Effect.log(event.event, event.conversation.id)
 *   return HttpServerResponse.empty({ status: 200 })
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Effect, type Redacted, Schema, Struct } from "effect"
import { type Headers, HttpServerRequest } from "effect/http"
import { Errors, Signature } from "@vendor-sdk/core"
import { Conversation, ConversationTag, Customer, PersonRef } from "./generated/schemas.ts"

/** The conversation document a `convo.*` webhook carries. */
export const WebhookConversation = Conversation.mapFields(Struct.assign({
  /** Tags as objects, or as plain names in some deliveries. */
  tags: Schema.optionalKey(Schema.Array(Schema.Union([ConversationTag, Schema.String]))),
  /** The whole mailbox, not only its id. */
  mailbox: Schema.optionalKey(Schema.Struct({
    id: Schema.Int,
    name: Schema.optionalKey(Schema.String),
    email: Schema.optionalKey(Schema.String)
  })),
  customer: Schema.optionalKey(PersonRef)
}))
export type WebhookConversation = typeof WebhookConversation.Type

/** A decoded delivery. */
export type Event =
  | { readonly _tag: "Test"; readonly event: "helpscout.test" }
  | { readonly _tag: "Conversation"; readonly event: string; readonly conversation: WebhookConversation }
  | { readonly _tag: "Customer"; readonly event: string; readonly customer: Customer }
  /** Event families whose bodies the reference does not document (beacon, satisfaction, tag, …). */
  | { readonly _tag: "Other"; readonly event: string; readonly payload: unknown }

/** The signature was fine but the body is not what the event promises. */
export class InvalidPayload extends Schema.TaggedError<InvalidPayload>()("InvalidPayload", {
  event: Schema.String,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
}) {}

/** A delivery as received: its headers and its raw body, byte for byte. */
export interface Delivery {
  readonly headers: Headers.Headers | Readonly<Record<string, string | undefined>>
  readonly body: string | Uint8Array
}

const header = (headers: Delivery["headers"], name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value
  }
  return undefined
}

/** Checks `X-HelpScout-Signature` against the raw body. */
export const verify = (
  secret: Redacted.Redacted<string> | string,
  delivery: Delivery
): Effect.Effect<void, Signature.InvalidSignature> =>
  Signature.verifyHmac({
    vendor: "helpscout",
    algorithm: "sha1",
    encoding: "base64",
    secret,
    message: delivery.body,
    signature: header(delivery.headers, "x-helpscout-signature")
  })

const decodeConversation = Schema.decodeUnknownEffect(WebhookConversation)
const decodeCustomer = Schema.decodeUnknownEffect(Customer)

/** Verifies a delivery, then decodes it by its `X-HelpScout-Event`. */
export const decode = (
  secret: Redacted.Redacted<string> | string,
  delivery: Delivery
): Effect.Effect<Event, Signature.InvalidSignature | InvalidPayload> =>
  Effect.gen(function*() {
    yield* verify(secret, delivery)
    const event = header(delivery.headers, "x-helpscout-event") ?? ""
    const text = typeof delivery.body === "string" ? delivery.body : new TextDecoder().decode(delivery.body)
    const invalid = (message: string, path: ReadonlyArray<string | number> = []) => new InvalidPayload({ event, path, message })
    let payload: unknown
    try {
      payload = text.length === 0 ? {} : JSON.parse(text)
    } catch {
      return yield* invalid("The body is not JSON")
    }
    const schemaFailure = (error: Schema.SchemaError) => {
      const { message, path } = Errors.firstIssue(error)
      return invalid(message, path)
    }
    if (event === "helpscout.test") return { _tag: "Test", event } as const
    if (event.startsWith("convo.")) {
      const conversation = yield* Effect.mapError(decodeConversation(payload), schemaFailure)
      return { _tag: "Conversation", event, conversation } as const
    }
    if (event.startsWith("customer.")) {
      const customer = yield* Effect.mapError(decodeCustomer(payload), schemaFailure)
      return { _tag: "Customer", event, customer } as const
    }
    if (event === "") return yield* invalid("No X-HelpScout-Event header")
    return { _tag: "Other", event, payload } as const
  })

/** Reads, verifies and decodes the delivery of the current `HttpServerRequest`. */
export const fromRequest = (
  secret: Redacted.Redacted<string> | string
): Effect.Effect<Event, Signature.InvalidSignature | InvalidPayload, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.mapError(request.arrayBuffer, (error) =>
      new InvalidPayload({
        event: request.headers["x-helpscout-event"] ?? "",
        path: [],
        message: `The body could not be read: ${error.message}`
      }))
    return yield* decode(secret, { headers: request.headers, body: new Uint8Array(body) })
  })

/** The headers Help Scout would send with `body`; for tests and the mock. */
export const sign = (
  secret: Redacted.Redacted<string> | string,
  event: string,
  body: string
): Effect.Effect<Record<string, string>> =>
  Effect.map(Signature.hmac("sha1", secret, body), (digest) => ({
    "content-type": "application/json",
    "x-helpscout-event": event,
    "x-helpscout-signature": Signature.toBase64(digest)
  }))
