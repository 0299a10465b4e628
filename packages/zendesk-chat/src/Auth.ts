/**
 * The Chat OAuth access token (scopes `read`, `write` and `chat`) an agent session starts with.
 *
 * The Conversations API takes the token as the `access_token` argument of `startAgentSession`, not as
 * a header, but it is the same bearer token core's authenticators manage. So `Auth` holds a core
 * `Authenticator`: a fixed token, the token stored in core's `TokenStore`, or any OAuth flow of core
 * (`OAuth2.refreshToken`, …) pointed at the Chat OAuth token endpoint. When Zendesk answers
 * `UNAUTHORIZED`, the authenticator is asked to renew once before the session start fails.
 *
 * @since 0.1.0
 */
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { Auth as CoreAuth, TokenStore } from "@vendor-sdk/core"
import { vendor } from "./generated/vendor.ts"

/** Where the access token comes from. There is no default: provide one of these layers. */
export class Auth extends Context.Service<Auth, CoreAuth.Authenticator>()("@vendor-sdk/zendesk-chat/Auth") {
  /** Any core authenticator, e.g. an `OAuth2.refreshToken` flow against the Chat OAuth token endpoint. */
  static readonly layer = (authenticator: CoreAuth.Authenticator): Layer.Layer<Auth> => Layer.succeed(Auth, authenticator)

  /** A fixed access token. */
  static readonly accessToken = (token: CoreAuth.Secret): Layer.Layer<Auth> => Layer.succeed(Auth, CoreAuth.bearer(token))

  /** The access token in `ZENDESK_CHAT_ACCESS_TOKEN`. */
  static readonly layerConfig: Layer.Layer<Auth, Config.ConfigError> = Layer.effect(
    Auth,
    Effect.map(Config.Redacted("ZENDESK_CHAT_ACCESS_TOKEN"), CoreAuth.bearer)
  )

  /**
   * The access token stored under `key` (default `zendesk-chat:default`) in core's `TokenStore`,
   * read at every session start. After `UNAUTHORIZED`, a token that another process stored since
   * counts as renewed.
   */
  static readonly tokenStore = (key = `${vendor.name}:default`): Layer.Layer<Auth, never, TokenStore.TokenStore> =>
    Layer.effect(
      Auth,
      TokenStore.TokenStore.useSync((store) => {
        const stored = store.get(key).pipe(
          Effect.mapError((cause) => new CoreAuth.CredentialsUnavailable({ message: `Cannot read tokens for ${key}`, cause })),
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new CoreAuth.CredentialsUnavailable({ message: `No tokens stored for ${key}` })),
            onSome: Effect.succeed
          }))
        )
        return CoreAuth.make({
          authenticate: (request) => Effect.map(stored, (tokens) => HttpClientRequest.bearerToken(request, tokens.accessToken)),
          renew: (rejected) =>
            Effect.map(stored, (tokens) => `Bearer ${Redacted.value(tokens.accessToken)}` !== rejected.headers["authorization"])
        })
      })
    )
}

/**
 * The access token an authenticator would send, and the request it authenticated (to pass to
 * `renew` if Zendesk rejects the token).
 */
export const accessToken = (
  authenticator: CoreAuth.Authenticator,
  url: string
): Effect.Effect<
  { readonly token: Redacted.Redacted<string>; readonly request: HttpClientRequest.HttpClientRequest },
  CoreAuth.CredentialsUnavailable
> =>
  Effect.flatMap(authenticator.authenticate(HttpClientRequest.post(url)), (request) => {
    const header = request.headers["authorization"]
    const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header)
    return match === null
      ? Effect.fail(new CoreAuth.CredentialsUnavailable({ message: "The authenticator did not supply a bearer access token" }))
      : Effect.succeed({ token: Redacted.make(match[1]!), request })
  })
