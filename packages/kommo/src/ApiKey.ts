/**
 * The legacy API-key login of the v2 API: `POST /private/api/auth.php?type=json` with the user's
 * e-mail and API key; the answer sets a session cookie (15 minutes) that every later request carries.
 *
 * The session is opened on first use, single-flight, and kept like a cookie jar keeps it. When a
 * request is answered 401 (the session expired), the client logs in again and repeats the request
 * once. A refused login is tried again, at most `attempts` times in all and `pause` apart (the
 * wrapper's 3 attempts, 5 seconds apart); then the call fails with `AuthenticationError`.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Layer, Schedule, Semaphore } from "effect"
import { Cookies, HttpClient, HttpClientRequest } from "effect/http"
import { Auth as CoreAuth, Client as CoreClient, Operation } from "@vendor-sdk/core"
import { loginWithApiKey } from "./generated/AuthService.ts"
import { Auth, Endpoint } from "./generated/vendor.ts"

/** Options of the API-key session. */
export interface Options {
  /** The user's login (e-mail). */
  readonly login: string
  readonly apiKey: CoreAuth.Secret
  /** Login attempts in all before giving up; 3 by default. */
  readonly attempts?: number | undefined
  /** The pause between attempts; 5 seconds by default. */
  readonly pause?: Duration.Input | undefined
}

/** Logs in with the API key and keeps the session cookie. */
export const layer = (options: Options): Layer.Layer<Auth, never, HttpClient.HttpClient> =>
  Layer.effect(
    Auth,
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const endpoint = yield* Endpoint
      const lock = yield* Semaphore.make(1)
      const apiKey = CoreAuth.secret(options.apiKey)
      const attempts = Math.max(1, options.attempts ?? 3)
      let session: string | undefined

      const loginOnce = Effect.gen(function*() {
        const request = yield* Operation.buildRequest(
          loginWithApiKey,
          { type: "json", body: { USER_LOGIN: options.login, USER_HASH: apiKey } },
          CoreClient.buildOptions(endpoint)
        )
        const response = yield* http.execute(request)
        const text = yield* response.text
        const body = Operation.parseBody(text, response.headers["content-type"])
        const decoded = yield* Effect.result(Operation.decodeResponse(loginWithApiKey, { status: response.status, headers: response.headers, body }))
        const cookie = Cookies.toCookieHeader(response.cookies)
        if (decoded._tag === "Failure" || decoded.success.response.auth !== true || cookie.length === 0) {
          const reason = decoded._tag === "Failure" ? decoded.failure.message : decoded.success.response.error ?? "no session cookie"
          return yield* new CoreAuth.CredentialsUnavailable({
            message: `API-key login for ${options.login} refused: ${reason}`,
            status: response.status
          })
        }
        return cookie
      }).pipe(
        Effect.catchTags({
          InvalidRequest: (error) => Effect.fail(new CoreAuth.CredentialsUnavailable({ message: error.message })),
          HttpClientError: (error) =>
            Effect.fail(new CoreAuth.CredentialsUnavailable({ message: `API-key login failed: ${error.message}`, cause: error }))
        })
      )

      const login = loginOnce.pipe(
        Effect.retry({ schedule: Schedule.spaced(options.pause ?? "5 seconds"), times: attempts - 1 }),
        Effect.tap((cookie) => Effect.sync(() => session = cookie)),
        Effect.withSpan("kommo.loginWithApiKey")
      )

      const current = Effect.suspend(() => session !== undefined ? Effect.succeed(session) : lock.withPermit(
        Effect.suspend(() => session !== undefined ? Effect.succeed(session) : login)
      ))

      return CoreAuth.make({
        authenticate: (request) =>
          Effect.map(current, (cookie) => {
            const existing = request.headers["cookie"]
            return HttpClientRequest.setHeader(request, "cookie", existing === undefined ? cookie : `${existing}; ${cookie}`)
          }),
        renew: (rejected) =>
          Effect.gen(function*() {
            yield* lock.withPermit(Effect.sync(() => {
              // Only the session this request carried is dropped; a newer one stays.
              if (session !== undefined && (rejected.headers["cookie"] ?? "").includes(session)) session = undefined
            }))
            yield* current
            return true
          })
      })
    })
  )
