/**
 * HMAC signatures, written once for every vendor: incoming-webhook verification (Help Scout's
 * base64 HMAC-SHA1, Sendbee's timestamped HMAC-SHA256 token) and per-request signed tokens.
 *
 * HMACs are computed with effect's `Mac` (WebCrypto) and compared in constant time. A bad, missing,
 * stale or future signature fails with {@link InvalidSignature}, never with a boolean to forget.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Layer, Redacted, Schema } from "effect"
import { Mac, SecureRandom } from "effect/crypto"
import { Base64 } from "effect/encoding"

/** Why a signature was rejected. */
export class InvalidSignature extends Schema.TaggedError<InvalidSignature>()("InvalidSignature", {
  vendor: Schema.String,
  reason: Schema.Literals(["missing", "malformed", "mismatch", "stale", "future"]),
  message: Schema.String
}) {}

/** The HMAC hash functions vendors use. */
export type Algorithm = "sha1" | "sha256" | "sha384" | "sha512"

const algorithms: Record<Algorithm, Mac.Algorithm> = {
  sha1: Mac.hmacSha1,
  sha256: Mac.hmacSha256,
  sha384: Mac.hmacSha384,
  sha512: Mac.hmacSha512
}

const encoder = new TextEncoder()
const bytes = (value: string | Uint8Array) => typeof value === "string" ? encoder.encode(value) : value

const macLayer = Mac.layerWebCrypto.pipe(Layer.provide(SecureRandom.layerWebCrypto))

/** The raw HMAC of `message` under `secret`. */
export const hmac = (
  algorithm: Algorithm,
  secret: Redacted.Redacted<string> | string,
  message: string | Uint8Array
): Effect.Effect<Uint8Array> =>
  Effect.gen(function*() {
    const key = yield* Mac.key(algorithms[algorithm], bytes(Redacted.isRedacted(secret) ? Redacted.value(secret) : secret))
    const mac = yield* Mac.Mac
    return yield* mac.sign(key, bytes(message))
  }).pipe(Effect.provide(macLayer), Effect.orDie)

/** Lower-case hex. */
export const toHex = (value: Uint8Array): string => Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("")

/** Standard base64 with padding. */
export const toBase64 = (value: Uint8Array | string): string => Base64.encode(value)

/** Constant-time comparison of two strings as bytes. */
export const equal = (a: string, b: string): boolean => Mac.timingSafeEqual(bytes(a), bytes(b))

/**
 * Verifies `signature` = encode(HMAC(secret, message)) in constant time.
 * Help Scout: `algorithm: "sha1", encoding: "base64"` over the raw body.
 */
export const verifyHmac = (options: {
  readonly vendor: string
  readonly algorithm: Algorithm
  readonly encoding: "base64" | "hex"
  readonly secret: Redacted.Redacted<string> | string
  readonly message: string | Uint8Array
  readonly signature: string | undefined
}): Effect.Effect<void, InvalidSignature> =>
  Effect.gen(function*() {
    if (options.signature === undefined || options.signature.length === 0) {
      return yield* new InvalidSignature({ vendor: options.vendor, reason: "missing", message: "No signature was sent" })
    }
    const digest = yield* hmac(options.algorithm, options.secret, options.message)
    const expected = options.encoding === "hex" ? toHex(digest) : toBase64(digest)
    const given = options.encoding === "hex" ? options.signature.trim().toLowerCase() : options.signature.trim()
    if (!equal(expected, given)) {
      return yield* new InvalidSignature({ vendor: options.vendor, reason: "mismatch", message: "The signature does not match the payload" })
    }
  })

/**
 * A token `base64(<unix seconds>.<hex HMAC-SHA256(secret, unix seconds)>)`, made from the Clock, so
 * it is reproducible under `TestClock`. Sendbee signs every request and every webhook this way.
 */
export const timestampToken = (secret: Redacted.Redacted<string> | string): Effect.Effect<string> =>
  Effect.gen(function*() {
    const seconds = String(Math.floor((yield* Clock.currentTimeMillis) / 1000))
    return toBase64(`${seconds}.${toHex(yield* hmac("sha256", secret, seconds))}`)
  })

/**
 * Verifies a {@link timestampToken}: the HMAC must match in constant time, and the timestamp must be
 * no older than `maxAge` and no further in the future than `skew`.
 */
export const verifyTimestampToken = (options: {
  readonly vendor: string
  readonly secret: Redacted.Redacted<string> | string
  readonly token: string | undefined
  readonly maxAge?: Duration.Input | undefined
  readonly skew?: Duration.Input | undefined
}): Effect.Effect<void, InvalidSignature> =>
  Effect.gen(function*() {
    const fail = (reason: InvalidSignature["reason"], message: string) =>
      new InvalidSignature({ vendor: options.vendor, reason, message })
    if (options.token === undefined || options.token.length === 0) return yield* fail("missing", "No token was sent")
    const decoded = Base64.decodeString(options.token.trim())
    if (decoded._tag === "Failure") return yield* fail("malformed", "The token is not base64")
    const match = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(decoded.success)
    if (match === null) return yield* fail("malformed", "The token is not <timestamp>.<hex HMAC-SHA256>")
    const [, seconds, signature] = match as unknown as [string, string, string]
    const expected = toHex(yield* hmac("sha256", options.secret, seconds))
    if (!equal(expected, signature)) return yield* fail("mismatch", "The token's signature does not match")
    const now = yield* Clock.currentTimeMillis
    const issued = Number(seconds) * 1000
    const maxAge = Duration.toMillis(Duration.fromInputUnsafe(options.maxAge ?? "15 minutes"))
    const skew = Duration.toMillis(Duration.fromInputUnsafe(options.skew ?? "1 minute"))
    if (now - issued > maxAge) return yield* fail("stale", `The token is older than ${Duration.format(Duration.millis(maxAge))}`)
    if (issued - now > skew) return yield* fail("future", "The token's timestamp is in the future")
  })
