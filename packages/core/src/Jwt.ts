/**
 * Verification of HMAC-signed JSON Web Tokens (HS256, HS384, HS512), such as amoCRM's widget and
 * Salesbot tokens. The signature is compared in constant time; `exp`, `nbf` and `aud` are checked
 * against the Clock; the claims are decoded with a Schema. Every rejection is an {@link InvalidToken}.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Redacted, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import * as Errors from "./Errors.ts"
import * as Signature from "./Signature.ts"

/** Why a token was rejected. */
export class InvalidToken extends Schema.TaggedError<InvalidToken>()("InvalidToken", {
  vendor: Schema.String,
  reason: Schema.Literals(["malformed", "algorithm", "signature", "expired", "not-yet-valid", "audience", "claims"]),
  message: Schema.String
}) {}

/** The HMAC algorithms a token may use. */
export type Algorithm = "HS256" | "HS384" | "HS512"

const hashes = { HS256: "sha256", HS384: "sha384", HS512: "sha512" } as const

const Header = Schema.Struct({ alg: Schema.String, typ: Schema.optionalKey(Schema.String) })
const Registered = Schema.Struct({
  exp: Schema.optionalKey(Schema.Number),
  nbf: Schema.optionalKey(Schema.Number),
  aud: Schema.optionalKey(Schema.Union([Schema.String, Schema.Array(Schema.String)]))
})

const json = (segment: string): unknown => {
  const decoded = Base64Url.decodeString(segment)
  if (decoded._tag === "Failure") return undefined
  try {
    return JSON.parse(decoded.success)
  } catch {
    return undefined
  }
}

/** Verifies a token and returns its claims, decoded with `claims`. */
export const verify = <A>(options: {
  readonly vendor: string
  readonly token: string
  readonly secret: Redacted.Redacted<string> | string
  readonly algorithms: ReadonlyArray<Algorithm>
  readonly claims: Schema.Codec<A, unknown>
  /** The audience the token must name, when it must name one. */
  readonly audience?: string | undefined
  /** Leeway for `exp` and `nbf`. Defaults to 30 seconds. */
  readonly tolerance?: Duration.Input | undefined
}): Effect.Effect<A, InvalidToken> =>
  Effect.gen(function*() {
    const fail = (reason: InvalidToken["reason"], message: string) => new InvalidToken({ vendor: options.vendor, reason, message })
    const parts = options.token.split(".")
    if (parts.length !== 3) return yield* fail("malformed", "A JWT has three dot-separated parts")
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
    const header = Schema.decodeUnknownOption(Header)(json(headerPart))
    if (header._tag === "None") return yield* fail("malformed", "The JWT header is not valid JSON")
    const algorithm = header.value.alg as Algorithm
    if (!options.algorithms.includes(algorithm)) {
      return yield* fail("algorithm", `Algorithm ${header.value.alg} is not accepted (expected ${options.algorithms.join(" or ")})`)
    }
    const digest = yield* Signature.hmac(
      hashes[algorithm],
      options.secret,
      `${headerPart}.${payloadPart}`
    )
    if (!Signature.equal(Base64Url.encode(digest), signaturePart)) return yield* fail("signature", "The signature does not match")
    const payload = json(payloadPart)
    const registered = Schema.decodeUnknownOption(Registered)(payload)
    if (registered._tag === "None") return yield* fail("malformed", "The JWT payload is not a valid claims object")
    const now = (yield* Clock.currentTimeMillis) / 1000
    const tolerance = Duration.toSeconds(Duration.fromInputUnsafe(options.tolerance ?? "30 seconds"))
    const { aud, exp, nbf } = registered.value
    if (exp !== undefined && now > exp + tolerance) return yield* fail("expired", "The token has expired")
    if (nbf !== undefined && now + tolerance < nbf) return yield* fail("not-yet-valid", "The token is not valid yet")
    if (options.audience !== undefined) {
      const audiences = aud === undefined ? [] : typeof aud === "string" ? [aud] : aud
      if (!audiences.includes(options.audience)) {
        return yield* fail("audience", `The token is not meant for ${options.audience}`)
      }
    }
    return yield* Schema.decodeUnknownEffect(options.claims)(payload).pipe(
      Effect.mapError((error) =>
        fail("claims", Errors.firstIssue(error).message)
      )
    )
  })

/** Signs claims as an HMAC JWT; for tests and mock servers. */
export const sign = (
  claims: Record<string, unknown>,
  secret: Redacted.Redacted<string> | string,
  algorithm: Algorithm = "HS256"
): Effect.Effect<string> =>
  Effect.gen(function*() {
    const header = Base64Url.encode(JSON.stringify({ alg: algorithm, typ: "JWT" }))
    const payload = Base64Url.encode(JSON.stringify(claims))
    const digest = yield* Signature.hmac(hashes[algorithm], secret, `${header}.${payload}`)
    return `${header}.${payload}.${Base64Url.encode(digest)}`
  })
