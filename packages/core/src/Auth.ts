/**
 * Authenticators add credentials to outgoing requests. Each vendor package declares its own `Auth`
 * service key whose value is an {@link Authenticator}; the constructors here build one for any key.
 *
 * @since 0.1.0
 */
import { Effect, Redacted, Schema } from "effect"
import { HttpClientRequest } from "effect/http"

/** Credentials could not be obtained or renewed. Core reports it as `AuthenticationError`. */
export class CredentialsUnavailable extends Schema.TaggedError<CredentialsUnavailable>()("CredentialsUnavailable", {
  message: Schema.String,
  /** The status of the token endpoint's answer, when there was one. */
  status: Schema.optional(Schema.Number),
  body: Schema.optional(Schema.Unknown),
  cause: Schema.optional(Schema.Defect())
}) {}

/** Adds credentials to requests and renews them after a 401. */
export interface Authenticator {
  readonly authenticate: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, CredentialsUnavailable>
  /**
   * Called once after a request was answered 401. Succeeds with `true` when the credentials were
   * renewed and the request is worth sending once more.
   */
  readonly renew: (rejected: HttpClientRequest.HttpClientRequest) => Effect.Effect<boolean, CredentialsUnavailable>
}

/** A secret as users pass it: plain strings are wrapped so they never print. */
export type Secret = string | Redacted.Redacted<string>

/** Wraps a plain string secret. */
export const secret = (value: Secret): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/** An authenticator from its two functions; `renew` defaults to "nothing to renew". */
export const make = (options: {
  readonly authenticate: Authenticator["authenticate"]
  readonly renew?: Authenticator["renew"] | undefined
}): Authenticator => ({
  authenticate: options.authenticate,
  renew: options.renew ?? (() => Effect.succeed(false))
})

/** Sends no credentials. */
export const none: Authenticator = make({ authenticate: Effect.succeed })

/** `Authorization: Bearer <token>` with a fixed token (amoCRM long-lived tokens, Help Scout personal tokens). */
export const bearer = (token: Secret): Authenticator => {
  const value = secret(token)
  return make({ authenticate: (request) => Effect.succeed(HttpClientRequest.bearerToken(request, value)) })
}

/** Fixed secret headers, e.g. `X-Api-Key`. */
export const headers = (values: Readonly<Record<string, Secret>>): Authenticator => {
  const entries = Object.entries(values).map(([name, value]) => [name, secret(value)] as const)
  return make({
    authenticate: (request) =>
      Effect.succeed(
        HttpClientRequest.setHeaders(
          request,
          Object.fromEntries(entries.map(([name, value]) => [name, Redacted.value(value)]))
        )
      )
  })
}

/** Headers computed per request, e.g. a signature made from the current time. */
export const dynamicHeaders = <E>(
  compute: Effect.Effect<Readonly<Record<string, string>>, E>,
  onError: (error: E) => CredentialsUnavailable
): Authenticator =>
  make({
    authenticate: (request) =>
      Effect.map(Effect.mapError(compute, onError), (values) => HttpClientRequest.setHeaders(request, values))
  })
