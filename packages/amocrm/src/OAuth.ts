/**
 * amoCRM OAuth 2.0, on top of core's token manager.
 *
 * - {@link layer}: authorization code and/or refresh token. Tokens live in core's `TokenStore` under
 *   `amocrm:<account>`, where the account is the host (`example.amocrm.ru`) unless `account` names
 *   it; every refresh returns a new refresh token, which is stored before the new access token is
 *   used. When a refresh is refused with 401 or 404 because the account moved to another subdomain,
 *   the account is looked up with `X-Refresh-Token` on the token's `api_domain` and the refresh is
 *   retried there; later requests follow the account to its new host, and `onRelocated` tells the
 *   app. Only amoCRM and Kommo hosts are ever followed.
 * - {@link longLived}: a long-lived token from the account UI, never refreshed.
 * - {@link exchangeApiKey}: trades a user API key for an authorization code (delivered to the
 *   redirect URI).
 * - {@link authorizeUrl}, {@link button} and {@link parseRedirect}: the browser side.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { HttpClient, HttpClientRequest } from "effect/http"
import { Auth as CoreAuth, Client as CoreClient, OAuth2, type TokenStore } from "@vendor-sdk/core"
import { accountOf } from "./EntityLock.ts"
import { exchangeApiKey as exchangeApiKeyOperation, getAccountSubdomainByRefreshToken } from "./generated/Oauth.ts"
import { Auth, Endpoint, Retry, vendor } from "./generated/vendor.ts"

/** Where an account moved to (see {@link Options.onRelocated}). */
export interface Relocation {
  /** The account URL before the move, e.g. `https://old.amocrm.ru`. */
  readonly from: string
  /** The account URL now, e.g. `https://new.amocrm.ru`. */
  readonly to: string
  /** The new subdomain, when amoCRM named it. */
  readonly subdomain?: string | undefined
}

/** Options of the OAuth layer. */
export interface Options {
  readonly clientId: string
  readonly clientSecret: CoreAuth.Secret
  /** The redirect URI registered for the integration; amoCRM wants it on every grant. */
  readonly redirectUri: string
  /** An authorization code to exchange on first use, when the store has no tokens yet. */
  readonly code?: CoreAuth.Secret | undefined
  /** A refresh token to start from when the store has none. */
  readonly refreshToken?: CoreAuth.Secret | undefined
  /**
   * The token store key is `amocrm:<account>`. By default the account's host
   * (`<subdomain>.<domain>`), so two accounts (or an amoCRM and a Kommo account) never share tokens.
   */
  readonly account?: string | undefined
  /** Renew this long before expiry. Defaults to 60 seconds. */
  readonly skew?: OAuth2.ManagedOptions["skew"]
  /** Runs after each new token set was stored (the SDK's `onAccessTokenRefresh`). */
  readonly onTokenRefreshed?: OAuth2.ManagedOptions["onTokenRefreshed"]
  /**
   * Runs once the account was found on another host and a refresh there succeeded; save the new
   * subdomain, as later runs should start from it.
   */
  readonly onRelocated?: ((relocation: Relocation) => Effect.Effect<void>) | undefined
}

/**
 * The claims of an access token, read without verifying its signature: the integration holds no key
 * that could verify it (the official SDK only parses it too). They are routing hints (`api_domain`,
 * `exp`), not proof of anything; a host taken from them is checked with {@link isTrustedHost}.
 */
export const accessTokenClaims = (token: Redacted.Redacted<string> | string): Readonly<Record<string, unknown>> => {
  const payload = (Redacted.isRedacted(token) ? Redacted.value(token) : token).split(".")[1]
  if (payload === undefined) return {}
  const decoded = Base64Url.decodeString(payload)
  if (decoded._tag === "Failure") return {}
  try {
    const claims: unknown = JSON.parse(decoded.success)
    return typeof claims === "object" && claims !== null ? claims as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

/** A host that is not an amoCRM or Kommo account host, where no secret may be sent. */
export class UntrustedHost extends Schema.TaggedError<UntrustedHost>()("UntrustedHost", {
  host: Schema.String,
  message: Schema.String
}) {}

const domains = vendor.server.variables.domain?.enum ?? ["amocrm.ru", "amocrm.com", "kommo.com"]
const hostPattern = new RegExp(`^[a-z0-9-]+\\.(${domains.map((domain) => domain.replace(/\./g, "\\.")).join("|")})$`)

/**
 * Whether `host` is an account host of one of the spec's server domains:
 * `^[a-z0-9-]+\.(amocrm\.(ru|com)|kommo\.com)$`, e.g. `example.amocrm.ru` or `api-b.amocrm.ru`.
 */
export const isTrustedHost = (host: string): boolean => hostPattern.test(host)

/** `host` in lower case when it is trusted (see {@link isTrustedHost}); `UntrustedHost` otherwise. */
export const trustedHost = (host: string, what: string): Effect.Effect<string, UntrustedHost> =>
  Effect.suspend(() => {
    const lower = host.trim().toLowerCase()
    return isTrustedHost(lower)
      ? Effect.succeed(lower)
      : Effect.fail(new UntrustedHost({ host, message: `${what} ${JSON.stringify(host)} is not an amoCRM or Kommo account host` }))
  })

/** A client without credentials on `endpoint`, with the package's retry policy, for public operations. */
const unauthenticated = (endpoint: CoreClient.Endpoint) =>
  Effect.flatMap(Retry, (retry) =>
    CoreClient.make({
      // X-Refresh-Token is among the vendor's secret headers (x-redacted in the spec).
      vendor,
      auth: CoreAuth.none,
      retry,
      rateLimit: undefined,
      endpoint
    }))

/** A client for the public OAuth operations: no credentials, the package's endpoint and retry policy. */
export const publicClient = Effect.flatMap(Endpoint, unauthenticated)

const origin = (url: string) => URL.parse(url)?.origin ?? url.replace(/\/+$/, "")

/**
 * OAuth 2.0 credentials for one account: exchanges `code` on first use (or starts from
 * `refreshToken`), refreshes single-flight before expiry and after a 401, persists every rotated
 * refresh token through the `TokenStore` before use, and recovers from a subdomain change.
 */
export const layer = (options: Options): Layer.Layer<Auth, never, HttpClient.HttpClient> =>
  Layer.effect(
    Auth,
    Effect.gen(function*() {
      const endpoint = yield* Endpoint
      const configured = origin(CoreClient.resolveUrl(vendor.server.url, vendor, endpoint))
      const account = options.account ?? accountOf(vendor, endpoint)
      // Where requests go now (the configured server until a move), and the account URL that stands for.
      let current = configured
      let currentAccount = `https://${accountOf(vendor, endpoint)}`
      let exchanged = false
      const clientSecret = CoreAuth.secret(options.clientSecret)
      const tokenEndpoint = (): OAuth2.TokenEndpoint => ({
        url: `${current}/oauth2/access_token`,
        encoding: "json",
        clientId: options.clientId,
        clientSecret
      })
      const grant = { redirect_uri: options.redirectUri }
      const refresh = (token: Redacted.Redacted<string>) =>
        OAuth2.requestToken(tokenEndpoint(), { ...grant, grant_type: "refresh_token", refresh_token: token })

      const untrusted = (error: UntrustedHost) =>
        new CoreAuth.CredentialsUnavailable({ message: `Not following the amoCRM account: ${error.message}`, cause: error })

      /** Finds where the account lives now; the move, when it moved to a trusted host. */
      const relocate = (tokens: TokenStore.TokenSet, token: Redacted.Redacted<string>) =>
        Effect.gen(function*() {
          const claim = accessTokenClaims(tokens.accessToken).api_domain
          if (typeof claim !== "string" || claim.length === 0) return Option.none<Relocation>()
          // The refresh token goes to this host: it must be amoCRM's.
          const apiDomain = yield* Effect.mapError(trustedHost(claim, "The token's api_domain"), untrusted)
          const client = yield* unauthenticated({ ...endpoint, variables: { ...endpoint.variables, api_domain: apiDomain } })
          const found = yield* Effect.option(client.execute(getAccountSubdomainByRefreshToken, { xRefreshToken: token }))
          if (Option.isNone(found) || found.value.domain === undefined) return Option.none<Relocation>()
          // The client secret and refresh token go to this host next.
          const host = yield* Effect.mapError(trustedHost(found.value.domain, "The account's new domain"), untrusted)
          const moved = `https://${host}`
          if (moved === currentAccount) return Option.none<Relocation>()
          const relocation: Relocation = { from: currentAccount, to: moved, subdomain: found.value.subdomain }
          yield* Effect.logInfo(`amoCRM account moved to ${host}`)
          current = endpoint.servers?.[moved] ?? moved
          currentAccount = moved
          return Option.some(relocation)
        })

      const refreshWith = (tokens: TokenStore.TokenSet, token: Redacted.Redacted<string>) =>
        refresh(token).pipe(
          Effect.catchIf(
            (error) => error.status === 401 || error.status === 404,
            (error) =>
              Effect.flatMap(relocate(tokens, token), (moved) =>
                Option.isNone(moved) ? Effect.fail(error) : refresh(token).pipe(
                  Effect.tap(() => options.onRelocated === undefined ? Effect.void : options.onRelocated(moved.value))
                ))
          )
        )

      const authenticator = yield* OAuth2.managed({
        key: `${vendor.name}:${account}`,
        skew: options.skew,
        onTokenRefreshed: options.onTokenRefreshed,
        initial: options.refreshToken === undefined ? undefined : {
          accessToken: Redacted.make(""),
          refreshToken: CoreAuth.secret(options.refreshToken),
          expiresAt: 0
        },
        fetch: (stored) => {
          const tokens = Option.getOrUndefined(stored)
          if (tokens?.refreshToken !== undefined) return refreshWith(tokens, tokens.refreshToken)
          if (options.code !== undefined && !exchanged) {
            // A code works once: it counts as used only when the exchange succeeded, so a failure on
            // the way (network, 5xx) leaves it to be tried again.
            return OAuth2.exchangeCode({ endpoint: tokenEndpoint(), code: options.code, redirectUri: options.redirectUri }).pipe(
              Effect.tap(() => Effect.sync(() => exchanged = true))
            )
          }
          return Effect.fail(
            new CoreAuth.CredentialsUnavailable({
              message: options.code === undefined
                ? `No amoCRM refresh token stored for account ${account}, and no code to exchange`
                : `No amoCRM refresh token stored for account ${account}; its code was exchanged already`
            })
          )
        }
      })
      // Requests are built for the configured host; after a move they go to the new one.
      const relocated = (request: HttpClientRequest.HttpClientRequest) =>
        current === configured || !request.url.startsWith(configured)
          ? request
          : HttpClientRequest.setUrl(request, current + request.url.slice(configured.length))
      return CoreAuth.make({
        // After the token: fetching it is what may discover the move.
        authenticate: (request) => Effect.map(authenticator.authenticate(request), relocated),
        renew: authenticator.renew
      })
    })
  )

/**
 * A long-lived token issued in the account UI (private integrations). It is sent as is and never
 * refreshed; once its `exp` has passed, requests fail with `AuthenticationError` before anything is
 * sent, as the official SDK refuses to refresh it.
 */
export const longLived = (token: CoreAuth.Secret): Layer.Layer<Auth> => {
  const value = CoreAuth.secret(token)
  const exp = accessTokenClaims(value).exp
  return Auth.layer(CoreAuth.make({
    authenticate: (request) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        typeof exp === "number" && exp * 1000 <= now
          ? Effect.fail(
            new CoreAuth.CredentialsUnavailable({
              message: `The long-lived amoCRM token expired at ${new Date(exp * 1000).toISOString()}; issue a new one`
            })
          )
          : Effect.succeed(HttpClientRequest.bearerToken(request, value)))
  }))
}

/** Options of {@link exchangeApiKey}. */
export interface ApiKeyExchange {
  /** E-mail of the user whose key is exchanged. */
  readonly login: string
  readonly apiKey: CoreAuth.Secret
  readonly clientId: string
  readonly clientSecret: CoreAuth.Secret
}

/**
 * Trades a user's API key for an authorization code (`POST /oauth2/exchange_api_key`, answered 202).
 * amoCRM sends the code to the integration's redirect URI; exchange it with {@link layer}.
 */
export const exchangeApiKey = (options: ApiKeyExchange) =>
  Effect.flatMap(publicClient, (client) =>
    client.execute(exchangeApiKeyOperation, {
      body: {
        login: options.login,
        api_key: CoreAuth.secret(options.apiKey),
        client_uuid: options.clientId,
        client_secret: CoreAuth.secret(options.clientSecret)
      }
    }))

/** The host of the authorize page and the button script: amoCRM, or Kommo for `.kommo.com` accounts. */
export type Brand = "amocrm" | "kommo"

const site = (brand: Brand | undefined) => brand === "kommo" ? "https://www.kommo.com" : "https://www.amocrm.ru"

/** Options of the browser step. */
export interface AuthorizeOptions {
  readonly clientId: string
  /** An unguessable value to check on the redirect back. */
  readonly state: string
  /** `post_message` answers to the opener window, `popup` opens a window. */
  readonly mode?: "post_message" | "popup" | undefined
  readonly brand?: Brand | undefined
}

/**
 * The page to send a user to so they install the integration.
 *
 * The redirect back carries `code`, `state` and `referer` (the account host to use).
 */
export const authorizeUrl = (options: AuthorizeOptions): string =>
  OAuth2.authorizeUrl(`${site(options.brand)}/oauth`, {
    client_id: options.clientId,
    state: options.state,
    mode: options.mode
  })

const escape = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** Options of the OAuth button. */
export interface ButtonOptions extends AuthorizeOptions {
  readonly title?: string | undefined
  readonly compact?: boolean | undefined
  readonly className?: string | undefined
  readonly color?: string | undefined
  /** A global function name the script calls on error. */
  readonly errorCallback?: string | undefined
}

/** The HTML of the vendor's OAuth button (its `button.min.js` script tag), attributes escaped. */
export const button = (options: ButtonOptions): string => {
  const attributes: Array<readonly [string, string | undefined]> = [
    ["class", "amocrm_oauth"],
    ["charset", "utf-8"],
    ["data-client-id", options.clientId],
    ["data-title", options.title ?? "Install integration"],
    ["data-compact", String(options.compact ?? false)],
    ["data-class-name", options.className ?? "className"],
    ["data-color", options.color ?? "default"],
    ["data-state", options.state],
    ["data-error-callback", options.errorCallback],
    ["data-mode", options.mode],
    ["src", `${site(options.brand)}/auth/button.min.js`]
  ]
  const rendered = attributes.flatMap(([name, value]) => value === undefined ? [] : [`${name}="${escape(value)}"`])
  return `<div><script ${rendered.join(" ")}></script></div>`
}

/** The query of the redirect back to the integration. */
export const Redirect = Schema.Struct({
  code: Schema.RedactedFromValue(Schema.String),
  state: Schema.String,
  /** The account host, e.g. `example.amocrm.ru`. */
  referer: Schema.String,
  from_widget: Schema.optionalKey(Schema.String)
})
export type Redirect = typeof Redirect.Type

/**
 * Reads the redirect query; `referer` gives the subdomain and domain to configure the client with.
 * A `referer` that is not an amoCRM or Kommo account host fails with {@link UntrustedHost}: the code
 * exchange would send the client secret there.
 */
export const parseRedirect = (query: URLSearchParams | Readonly<Record<string, string>>) => {
  const entries = query instanceof URLSearchParams ? Object.fromEntries(query) : query
  return Effect.flatMap(Schema.decodeUnknownEffect(Redirect)(entries), (redirect) =>
    Effect.map(trustedHost(redirect.referer, "The redirect's referer"), (host) => {
      const [subdomain = "", ...rest] = host.split(".")
      return { ...redirect, referer: host, subdomain, domain: rest.join(".") }
    }))
}
