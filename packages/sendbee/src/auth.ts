/**
 * Sendbee's request signing: `X-Api-Key` plus an `X-Auth-Token` computed anew for every request
 * (retries included) from the Clock, so it is reproducible under `TestClock`:
 * `base64(<unix seconds> + "." + lower-case hex HMAC-SHA256(key = API secret, message = <unix seconds>))`.
 *
 * The API secret itself never leaves the process, and both headers are redacted from logs and spans.
 *
 * @since 0.1.0
 */
import { Effect, Function, type Layer, Redacted } from "effect"
import { Auth as CoreAuth, Signature } from "@vendor-sdk/core"
import { Auth } from "./generated/vendor.ts"

/** The API key and secret of a business number, from the Sendbee dashboard. */
export interface Credentials {
  readonly apiKey: CoreAuth.Secret
  readonly apiSecret: CoreAuth.Secret
  /**
   * Sent as `User-Agent`, over the endpoint's headers. Sendbee picks which response fields to send
   * by a versioned User-Agent (its PHP client sends `Sendbee PHP API Client/1.7.0`), so keep it
   * versioned. Without it the endpoint's User-Agent is sent, by default `vendor-sdk/0.1.0 (sendbee)`.
   */
  readonly userAgent?: string | undefined
}

/** The `X-Auth-Token` for the current time of the Clock. */
export const authToken = (apiSecret: CoreAuth.Secret): Effect.Effect<string> =>
  Signature.timestampToken(CoreAuth.secret(apiSecret))

/** The headers of one request: the key, a fresh token and the User-Agent when one is given. */
export const headers = (credentials: Credentials): Effect.Effect<Readonly<Record<string, string>>> => {
  const apiKey = CoreAuth.secret(credentials.apiKey)
  const apiSecret = CoreAuth.secret(credentials.apiSecret)
  const userAgent = credentials.userAgent === undefined ? {} : { "user-agent": credentials.userAgent }
  return Effect.map(authToken(apiSecret), (token) => ({
    "x-api-key": Redacted.value(apiKey),
    "x-auth-token": token,
    ...userAgent
  }))
}

/** An authenticator that signs every request; there is nothing to renew after a 401. */
export const authenticator = (credentials: Credentials): CoreAuth.Authenticator =>
  CoreAuth.dynamicHeaders(headers(credentials), Function.absurd)

/**
 * The `Auth` layer for Sendbee. Use it instead of the generated `Auth.apiKey`, which would send one
 * fixed token that Sendbee rejects once it is older than its tolerance.
 */
export const layerAuth = (credentials: Credentials): Layer.Layer<Auth> => Auth.layer(authenticator(credentials))
