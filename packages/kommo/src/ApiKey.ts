/**
 * The legacy API-key login of the v2 API: `POST /private/api/auth.php?type=json` with the user's
 * e-mail and API key; the answer sets a session cookie (15 minutes) that every later request carries.
 *
 * - The session is opened on first use, single-flight, and kept in a cookie jar
 *   (`HttpClient.withCookiesRef`): the layer also provides the account's `HttpClient` with that jar,
 *   so a cookie Kommo refreshes on any answer is kept and sent from then on.
 * - The login goes through the vendor's core client: it is traced (`kommo.loginWithApiKey`) and
 *   logged at Debug with its secrets redacted, and transient failures follow the retry policy.
 * - A refused login (`auth: false`, or 401) is tried again, at most `attempts` times in all and
 *   `pause` apart (the wrapper's 3 attempts, 5 seconds apart). Anything else is not: an account that
 *   is blocked (403, `AccountBlocked`) or whose subscription ended (402, `SubscriptionExpired`) fails
 *   at once, with that error as the cause and its status. Each attempt may take `timeout` at most, as
 *   requests wait for the login meanwhile.
 * - When a request is answered 401 (the session expired), the client logs in again and repeats the
 *   request once.
 *
 * @since 0.1.0
 */
import { Clock, Context, Data, Duration, Effect, Layer, Ref, Schedule, Semaphore } from "effect"
import { Cookies, HttpClient, HttpClientRequest } from "effect/http"
import { Auth as CoreAuth, Client as CoreClient } from "@vendor-sdk/core"
import { loginWithApiKey } from "./generated/AuthService.ts"
import { Auth, Endpoint, Retry, vendor } from "./generated/vendor.ts"

/** Options of the API-key session. */
export interface Options {
  /** The user's login (e-mail). */
  readonly login: string
  readonly apiKey: CoreAuth.Secret
  /** Login attempts in all before giving up on refused credentials; 3 by default. */
  readonly attempts?: number | undefined
  /** The pause between attempts; 5 seconds by default. */
  readonly pause?: Duration.Input | undefined
  /** How long one login attempt may take, retries of the request included; 30 seconds by default. */
  readonly timeout?: Duration.Input | undefined
}

/** Kommo refused the credentials (`auth: false` or 401): worth another attempt. */
class Refused extends Data.TaggedError("Refused")<{ readonly reason: string; readonly status: number; readonly body?: unknown }> {}

/**
 * Logs in with the API key and keeps the session cookie. Provides `Auth`, and the `HttpClient` with
 * the session's cookie jar that the account's client uses.
 */
export const layer = (options: Options): Layer.Layer<Auth | HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.gen(function*() {
      const jar = yield* Ref.make<ReadonlyArray<Cookies.Cookie>>([])
      const http = (yield* HttpClient.HttpClient).pipe(HttpClient.withCookiesRef(jar))
      const client = yield* CoreClient.make({
        vendor,
        auth: CoreAuth.none,
        retry: yield* Retry,
        rateLimit: undefined,
        endpoint: yield* Endpoint
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      const lock = yield* Semaphore.make(1)
      const apiKey = CoreAuth.secret(options.apiKey)
      const attempts = Math.max(1, options.attempts ?? 3)
      const timeout = Duration.fromInputUnsafe(options.timeout ?? "30 seconds")
      const failed = (message: string, fields: { readonly status?: number | undefined; readonly body?: unknown; readonly cause?: unknown } = {}) =>
        new CoreAuth.CredentialsUnavailable({ message: `API-key login for ${options.login} ${message}`, ...fields })
      // A session exists (a login succeeded and no request carrying its cookie was answered 401).
      let session = false

      /** The `Cookie` header the jar holds for `url`, if any. */
      const cookieFor = (url: string) =>
        Effect.flatMap(Ref.get(jar), (cookies) =>
          Effect.map(Clock.currentTimeMillis, (now) => Cookies.toRequestCookieHeader(cookies, url, now)))

      const loginOnce = client.executeWithResponse(loginWithApiKey, {
        type: "json",
        body: { USER_LOGIN: options.login, USER_HASH: apiKey }
      }).pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.fail(failed(`got no answer within ${Duration.format(timeout)}`))
        }),
        Effect.flatMap((answer): Effect.Effect<void, Refused | CoreAuth.CredentialsUnavailable> => {
          const response = answer.value.response
          if (response.auth !== true) {
            return Effect.fail(new Refused({ reason: response.error ?? "refused", status: answer.status, body: answer.body }))
          }
          return Effect.flatMap(cookieFor(answer.request.url), (cookie) =>
            cookie === undefined ? Effect.fail(failed("was accepted without a session cookie", { status: answer.status })) : Effect.void)
        }),
        Effect.mapError((error): Refused | CoreAuth.CredentialsUnavailable => {
          switch (error._tag) {
            case "Refused":
            case "CredentialsUnavailable":
              return error
            // 401: the login or key is wrong, or the user may not log in now.
            case "AuthenticationError":
              return new Refused({ reason: error.message, status: error.status, body: error.body })
            // Declared fatal in the spec: trying again does not help.
            case "AccountBlocked":
            case "SubscriptionExpired":
              return failed(`failed: ${error._tag}: ${error.message}`, { status: error.status, body: error.body, cause: error })
            default:
              return failed(`failed: ${error.message}`, { cause: error })
          }
        })
      )

      const login = loginOnce.pipe(
        Effect.retry({ schedule: Schedule.spaced(options.pause ?? "5 seconds"), times: attempts - 1, while: (error) => error._tag === "Refused" }),
        Effect.catchTag("Refused", (error) =>
          Effect.fail(failed(`refused: ${error.reason}`, { status: error.status, body: error.body }))),
        Effect.tap(() => Effect.sync(() => session = true)),
        Effect.withSpan("kommo.ApiKey.login")
      )

      const ensure = Effect.suspend(() =>
        session ? Effect.void : lock.withPermit(Effect.suspend(() => session ? Effect.void : login))
      )

      const authenticator = CoreAuth.make({
        // The jar sets the cookie on the way out too; it is set here so that `renew` can tell which
        // session a rejected request carried.
        authenticate: (request) =>
          Effect.andThen(ensure, cookieFor(request.url)).pipe(
            Effect.map((cookie) => cookie === undefined ? request : HttpClientRequest.setHeader(request, "cookie", cookie))
          ),
        renew: (rejected) =>
          lock.withPermit(Effect.gen(function*() {
            // Only the session this request carried is dropped; a newer one stays.
            const current = yield* cookieFor(rejected.url)
            if (session && (current === undefined || rejected.headers["cookie"] === current)) {
              session = false
              yield* Ref.set(jar, [])
            }
          })).pipe(Effect.andThen(ensure), Effect.as(true))
      })
      return Context.make(Auth, authenticator).pipe(Context.add(HttpClient.HttpClient, http))
    })
  )
