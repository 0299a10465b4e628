/**
 * Incoming Sendbee webhooks.
 *
 * Sendbee posts each webhook type to the URL configured for it in the dashboard, so the kind of an
 * event is known from the route it arrives on, not from the request. Every call carries
 * `X-Authorization`, a token built like the client's `X-Auth-Token`:
 * `base64(<unix seconds>.<hex HMAC-SHA256(API secret, unix seconds)>)`.
 *
 * {@link verify} checks it in constant time and rejects tokens older than `maxAge` (15 minutes by
 * default) or further in the future than `skew` (1 minute). The official Python client's check never
 * rejects old tokens, so a captured request could be replayed forever; this one cannot.
 * {@link decode} verifies, then decodes the JSON body into a typed {@link Event}.
 *
 * ```ts
 * const handler = Effect.gen(function*() {
 *   const event = yield* Sendbee.Webhooks.fromRequest("messageStatus", { secret })
 *   yield* Effect.log(event._tag, event.payload)
 *   return HttpServerResponse.empty({ status: 200 })
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Duration, Effect, type Redacted, Schema } from "effect"
import { type Headers, HttpServerRequest } from "effect/http"
import { Errors, Signature } from "@vendor-sdk/core"
import {
  WebhookContactCreated,
  WebhookMessageReceived,
  WebhookMessageSent,
  WebhookMessageStatus
} from "./generated/schemas.ts"

/** How to verify deliveries. */
export interface Options {
  /** The API secret of the business number. */
  readonly secret: Redacted.Redacted<string> | string
  /** The oldest token accepted. Defaults to {@link defaultMaxAge}. */
  readonly maxAge?: Duration.Input | undefined
  /** How far in the future a token may be, for clock drift. Defaults to {@link defaultSkew}. */
  readonly skew?: Duration.Input | undefined
}

/** 15 minutes, the tolerance of the official PHP client. */
export const defaultMaxAge: Duration.Duration = Duration.minutes(15)

/** 1 minute of clock drift. */
export const defaultSkew: Duration.Duration = Duration.minutes(1)

/** A delivery as received: its headers and its raw body. */
export interface Delivery {
  readonly headers: Headers.Headers | Readonly<Record<string, string | undefined>>
  readonly body: string | Uint8Array
}

/** The webhook types, named as in the spec. Payload fields are unconfirmed: any JSON object decodes. */
export type Kind = "contactCreated" | "messageReceived" | "messageSent" | "messageStatus"

/** A verified, decoded delivery. */
export type Event =
  | { readonly _tag: "ContactCreated"; readonly payload: WebhookContactCreated }
  | { readonly _tag: "MessageReceived"; readonly payload: WebhookMessageReceived }
  | { readonly _tag: "MessageSent"; readonly payload: WebhookMessageSent }
  /** Names the conversation with the id a send call answered with (`data.id`). */
  | { readonly _tag: "MessageStatus"; readonly payload: WebhookMessageStatus }

/** The token was fine but the body is not what the webhook type promises. */
export class InvalidPayload extends Schema.TaggedError<InvalidPayload>()("InvalidPayload", {
  kind: Schema.String,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
}) {}

const payloads = {
  contactCreated: { tag: "ContactCreated", decode: Schema.decodeUnknownEffect(WebhookContactCreated) },
  messageReceived: { tag: "MessageReceived", decode: Schema.decodeUnknownEffect(WebhookMessageReceived) },
  messageSent: { tag: "MessageSent", decode: Schema.decodeUnknownEffect(WebhookMessageSent) },
  messageStatus: { tag: "MessageStatus", decode: Schema.decodeUnknownEffect(WebhookMessageStatus) }
} as const

const header = (headers: Delivery["headers"], name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value
  }
  return undefined
}

/** Checks an `X-Authorization` token. */
export const verifyToken = (options: Options, token: string | undefined): Effect.Effect<void, Signature.InvalidSignature> =>
  Signature.verifyTimestampToken({
    vendor: "sendbee",
    secret: options.secret,
    token,
    maxAge: options.maxAge ?? defaultMaxAge,
    skew: options.skew ?? defaultSkew
  })

/** Checks the `X-Authorization` header of a delivery. */
export const verify = (options: Options, delivery: Delivery): Effect.Effect<void, Signature.InvalidSignature> =>
  verifyToken(options, header(delivery.headers, "x-authorization"))

/** Verifies a delivery, then decodes its body as the given webhook type. */
export const decode = (
  kind: Kind,
  options: Options,
  delivery: Delivery
): Effect.Effect<Event, Signature.InvalidSignature | InvalidPayload> =>
  Effect.gen(function*() {
    yield* verify(options, delivery)
    const invalid = (message: string, path: ReadonlyArray<string | number> = []) => new InvalidPayload({ kind, path, message })
    const text = typeof delivery.body === "string" ? delivery.body : new TextDecoder().decode(delivery.body)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* invalid("The body is not JSON")
    }
    const { decode, tag } = payloads[kind]
    const payload = yield* Effect.mapError(decode(json), (error) => {
      const { message, path } = Errors.firstIssue(error)
      return invalid(message, path)
    })
    return { _tag: tag, payload } as Event
  })

/** Reads, verifies and decodes the delivery of the current `HttpServerRequest`. */
export const fromRequest = (
  kind: Kind,
  options: Options
): Effect.Effect<Event, Signature.InvalidSignature | InvalidPayload, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.mapError(request.text, (error) =>
      new InvalidPayload({ kind, path: [], message: `The body could not be read: ${error.message}` }))
    return yield* decode(kind, options, { headers: request.headers, body })
  })

/** The headers Sendbee would send with a delivery now; for tests of webhook handlers. */
export const sign = (secret: Redacted.Redacted<string> | string): Effect.Effect<Record<string, string>> =>
  Effect.map(Signature.timestampToken(secret), (token) => ({
    "content-type": "application/json",
    "x-authorization": token
  }))
