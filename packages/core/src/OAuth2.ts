/**
 * OAuth 2 authenticators: client credentials, refresh token with rotation, authorization-code
 * exchange, and the authorize URL.
 *
 * Tokens are fetched lazily, on the first request that needs one. Renewal is single-flight: however
 * many requests find the token expired (or get a 401) at once, exactly one token request is made and
 * they all wait for it. A rotated refresh token is written to the {@link TokenStore} before the new
 * access token is used.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Option, Redacted, Schema, Semaphore } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import * as Auth from "./Auth.ts"
import * as Client from "./Client.ts"
import * as JsonPath from "./internal/path.ts"
import * as Operation from "./Operation.ts"
import { makeMemory, type TokenSet, TokenStore } from "./TokenStore.ts"
import type * as Vendor from "./Vendor.ts"

/** A token endpoint and the client credentials sent to it. */
export interface TokenEndpoint {
  readonly url: string
  /** How the grant is sent: a JSON body (Help Scout) or a form body (RFC 6749). */
  readonly encoding: "json" | "form"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
}

/** Options every managed token flow shares. */
export interface ManagedOptions {
  /** The token store key, `<vendor>:<account>`. */
  readonly key: string
  /** Renew this long before the token expires. Defaults to 60 seconds. */
  readonly skew?: Duration.Input | undefined
  /** Runs after every new token set has been stored, e.g. to mirror it elsewhere. */
  readonly onTokenRefreshed?: ((tokens: TokenSet) => Effect.Effect<void>) | undefined
}

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  token_type: Schema.optionalKey(Schema.String),
  expires_in: Schema.optionalKey(Schema.Union([Schema.Number, Schema.NumberFromString])),
  refresh_token: Schema.optionalKey(Schema.String),
  scope: Schema.optionalKey(Schema.String)
})
const decodeTokenResponse = Schema.decodeUnknownEffect(TokenResponse)

/** Posts a grant to a token endpoint and returns the token set it answers with. */
export const requestToken = Effect.fnUntraced(function*(
  endpoint: TokenEndpoint,
  grant: Readonly<Record<string, string | Redacted.Redacted<string> | undefined>>
) {
  const client = yield* HttpClient.HttpClient
  const fields: Record<string, string> = {
    client_id: endpoint.clientId,
    client_secret: Redacted.value(endpoint.clientSecret)
  }
  for (const [name, value] of Object.entries(grant)) {
    if (value !== undefined) fields[name] = Redacted.isRedacted(value) ? Redacted.value(value) : value
  }
  const request = HttpClientRequest.post(endpoint.url).pipe(
    HttpClientRequest.acceptJson,
    endpoint.encoding === "json"
      ? HttpClientRequest.bodyText(JSON.stringify(fields), "application/json;charset=UTF-8")
      : HttpClientRequest.bodyUrlParams(fields)
  )
  const response = yield* client.execute(request).pipe(
    Effect.mapError((cause) =>
      new Auth.CredentialsUnavailable({ message: `Token endpoint ${endpoint.url} unreachable`, cause })
    )
  )
  const text = yield* response.text.pipe(
    Effect.mapError((cause) => new Auth.CredentialsUnavailable({ message: "Token response unreadable", cause }))
  )
  const body = Operation.parseBody(text, response.headers["content-type"])
  if (response.status < 200 || response.status >= 300) {
    return yield* new Auth.CredentialsUnavailable({
      message: `Token request refused (HTTP ${response.status}): ${
        JsonPath.firstString(body, [["error_description"], ["hint"], ["detail"], ["message"], ["error"], ["title"]]) ??
          "no reason given"
      }`,
      status: response.status,
      body
    })
  }
  const token = yield* decodeTokenResponse(body).pipe(
    Effect.mapError((cause) =>
      new Auth.CredentialsUnavailable({ message: "Token response has no access_token", status: response.status, cause })
    )
  )
  const now = yield* Clock.currentTimeMillis
  return toTokenSet(token, now)
})

const toTokenSet = (token: typeof TokenResponse.Type, now: number): TokenSet => ({
  accessToken: Redacted.make(token.access_token),
  ...(token.refresh_token === undefined ? {} : { refreshToken: Redacted.make(token.refresh_token) }),
  ...(token.expires_in === undefined ? {} : { expiresAt: now + token.expires_in * 1000, issuedAt: now }),
  ...(token.token_type === undefined ? {} : { tokenType: token.token_type }),
  ...(token.scope === undefined ? {} : { scope: token.scope })
})

/**
 * The token manager behind every OAuth flow: caches the token set, renews it through `fetch` when
 * it expires or a request is rejected, single-flight, and stores each new set before using it.
 *
 * `fetch` receives the current token set (from memory or the store), so refresh flows can use its
 * refresh token. Vendor packages use this directly for grants of their own (amoCRM's API-key exchange).
 */
export const managed = <R>(options: ManagedOptions & {
  readonly fetch: (current: Option.Option<TokenSet>) => Effect.Effect<TokenSet, Auth.CredentialsUnavailable, R>
  /** Tokens to start from when the store has none. */
  readonly initial?: TokenSet | undefined
}): Effect.Effect<Auth.Authenticator, never, R> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R>()
    const store = Option.getOrElse(yield* Effect.serviceOption(TokenStore), makeMemory)
    const lock = yield* Semaphore.make(1)
    const skew = Duration.toMillis(Duration.fromInputUnsafe(options.skew ?? "60 seconds"))
    const storeError = (message: string) => (cause: unknown) => new Auth.CredentialsUnavailable({ message, cause })

    let cached: TokenSet | undefined
    // A token that was fetched but could not be stored yet; it is stored before it is used.
    let unsaved = false
    // The access token the vendor last answered 401 to; a newer one is not affected.
    let rejected: string | undefined
    // A token that lives shorter than twice the skew is renewed at half its lifetime instead of
    // on every request.
    const margin = (tokens: TokenSet) =>
      tokens.issuedAt === undefined || tokens.expiresAt === undefined
        ? skew
        : Math.min(skew, (tokens.expiresAt - tokens.issuedAt) / 2)
    const usable = (tokens: TokenSet | undefined, now: number): tokens is TokenSet =>
      tokens !== undefined && Redacted.value(tokens.accessToken) !== rejected &&
      (tokens.expiresAt === undefined || tokens.expiresAt - margin(tokens) > now)

    // Stored, then announced: a hook never sees tokens the store does not hold, and a save that
    // failed and is retried later still runs the hook.
    const persist = (tokens: TokenSet) =>
      store.set(options.key, tokens).pipe(
        Effect.mapError(storeError(`Cannot store renewed tokens for ${options.key}; they were not used`)),
        Effect.tap(() => Effect.sync(() => unsaved = false)),
        Effect.andThen(options.onTokenRefreshed === undefined ? Effect.void : options.onTokenRefreshed(tokens))
      )

    const renewLocked = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (usable(cached, now) && !unsaved) return cached
      if (unsaved && cached !== undefined) {
        yield* persist(cached)
        return cached
      }
      // Another process may have renewed already: its tokens are in the store.
      const stored = yield* Effect.mapError(store.get(options.key), storeError(`Cannot read tokens for ${options.key}`))
      if (usable(Option.getOrUndefined(stored), now)) {
        cached = Option.getOrThrow(stored)
        return cached
      }
      const current = Option.orElse(stored, () => Option.fromNullishOr(cached ?? options.initial))
      const next = yield* Effect.provideContext(options.fetch(current), context)
      const merged: TokenSet = next.refreshToken !== undefined || Option.isNone(current) ||
          current.value.refreshToken === undefined
        ? next
        : { ...next, refreshToken: current.value.refreshToken }
      cached = merged
      unsaved = true
      yield* persist(merged)
      return merged
    })

    const token = Effect.suspend(() =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        usable(cached, now) && !unsaved ? Effect.succeed(cached) : lock.withPermit(renewLocked))
    )

    return Auth.make({
      authenticate: (request) =>
        Effect.map(token, (tokens) => HttpClientRequest.bearerToken(request, tokens.accessToken)),
      renew: (request) =>
        Effect.gen(function*() {
          const header = request.headers["authorization"]
          if (header === undefined) return false
          yield* lock.withPermit(Effect.sync(() => {
            // Only the token this request carried is discarded; a newer one stays.
            const sent = header.replace(/^Bearer\s+/i, "")
            if (cached !== undefined && Redacted.value(cached.accessToken) === sent) rejected = sent
          }))
          yield* token
          return true
        })
    })
  })

/** Client-credentials grant (`grant_type=client_credentials`): no user, a token per application. */
export const clientCredentials = (options: ManagedOptions & {
  readonly endpoint: TokenEndpoint
  readonly scope?: string | undefined
}) =>
  managed({
    ...options,
    fetch: () => requestToken(options.endpoint, { grant_type: "client_credentials", scope: options.scope })
  })

/**
 * Refresh-token grant. The refresh token comes from the store, or from `refreshToken` the first time;
 * every refresh answer may carry a new one, which replaces it in the store before use.
 */
export const refreshToken = (options: ManagedOptions & {
  readonly endpoint: TokenEndpoint
  readonly refreshToken?: Auth.Secret | undefined
  /** Extra grant fields some vendors require, e.g. amoCRM's `redirect_uri`. */
  readonly extra?: Readonly<Record<string, string>> | undefined
}) =>
  managed({
    ...options,
    initial: options.refreshToken === undefined ? undefined : {
      accessToken: Redacted.make(""),
      refreshToken: Auth.secret(options.refreshToken),
      expiresAt: 0
    },
    fetch: (current) => {
      const refresh = Option.getOrUndefined(current)?.refreshToken
      return refresh === undefined
        ? Effect.fail(new Auth.CredentialsUnavailable({ message: `No refresh token stored for ${options.key}` }))
        : requestToken(options.endpoint, { ...options.extra, grant_type: "refresh_token", refresh_token: refresh })
    }
  })

/**
 * Authorization-code grant: exchanges `code` on first use, then refreshes with the refresh token it
 * returned. A code works once, so a stored token set takes precedence over it, and once an exchange
 * succeeded the code is not sent again. An exchange that failed may be tried again.
 */
export const authorizationCode = (options: ManagedOptions & {
  readonly endpoint: TokenEndpoint
  readonly code: Auth.Secret
  readonly redirectUri?: string | undefined
  readonly extra?: Readonly<Record<string, string>> | undefined
}) =>
  Effect.suspend(() => {
    let exchanged = false
    return managed({
      ...options,
      fetch: (current) => {
        const refresh = Option.getOrUndefined(current)?.refreshToken
        if (refresh !== undefined) {
          return requestToken(options.endpoint, { ...options.extra, grant_type: "refresh_token", refresh_token: refresh })
        }
        if (exchanged) {
          return Effect.fail(new Auth.CredentialsUnavailable({ message: `No refresh token stored for ${options.key}` }))
        }
        return Effect.tap(exchangeCode(options), () => Effect.sync(() => exchanged = true))
      }
    })
  })

/** Exchanges an authorization code for a token set, without storing it. */
export const exchangeCode = (options: {
  readonly endpoint: TokenEndpoint
  readonly code: Auth.Secret
  readonly redirectUri?: string | undefined
  readonly extra?: Readonly<Record<string, string>> | undefined
}) =>
  requestToken(options.endpoint, {
    ...options.extra,
    grant_type: "authorization_code",
    code: Auth.secret(options.code),
    redirect_uri: options.redirectUri
  })

/** The URL to send a user to so they can grant access (`client_id`, `state`, … as query params). */
export const authorizeUrl = (
  url: string,
  params: Readonly<Record<string, string | undefined>>
): string => {
  const target = new URL(url)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.set(name, value)
  }
  return target.toString()
}

/** A vendor's token URL as its spec gives it. */
export interface VendorTokenUrl {
  readonly vendor: Vendor.Vendor
  readonly url: string
  readonly encoding: "json" | "form"
}

/** The options every generated OAuth layer takes. */
export interface ClientOptions {
  readonly clientId: string
  readonly clientSecret: Auth.Secret
  /** Separates the tokens of several accounts of one vendor; `default` when absent. */
  readonly account?: string | undefined
  readonly skew?: Duration.Input | undefined
  readonly onTokenRefreshed?: ((tokens: TokenSet) => Effect.Effect<void>) | undefined
}

/** The token endpoint and store key for a vendor, its endpoint configuration and client options. */
export const forVendor = (
  token: VendorTokenUrl,
  endpoint: Client.Endpoint,
  options: ClientOptions
): ManagedOptions & { readonly endpoint: TokenEndpoint } => ({
  key: `${token.vendor.name}:${options.account ?? "default"}`,
  skew: options.skew,
  onTokenRefreshed: options.onTokenRefreshed,
  endpoint: {
    url: Client.resolveUrl(token.url, token.vendor, endpoint),
    encoding: token.encoding,
    clientId: options.clientId,
    clientSecret: Auth.secret(options.clientSecret)
  }
})
