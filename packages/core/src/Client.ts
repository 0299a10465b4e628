/**
 * A vendor's request pipeline, built once per Layer and shared by all of its generated services.
 *
 * One call, top to bottom:
 * 1. `Operation.buildRequest` encodes the params (or fails with `InvalidRequest`; nothing is sent);
 * 2. the rate limiter waits for the account's budget;
 * 3. the authenticator adds credentials, so they are fresh when the request leaves;
 * 4. the request is sent and its body read; a 401 renews the credentials and resends once;
 * 5. the retry policy retries what is safe to retry, honouring `Retry-After`;
 * 6. `Operation.decodeResponse` decodes the result or maps the failure to a typed error.
 *
 * Every call runs in a span `<vendor>.<operationId>` carrying the status and the retry count.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Stream } from "effect"
import { Headers, HttpClient, HttpClientError, HttpClientRequest, type HttpClientResponse } from "effect/http"
import type * as Auth from "./Auth.ts"
import * as Errors from "./Errors.ts"
import * as JsonPath from "./internal/path.ts"
import * as Operation from "./Operation.ts"
import * as Pagination from "./Pagination.ts"
import * as RateLimit from "./RateLimit.ts"
import * as Retry from "./Retry.ts"
import * as Vendor from "./Vendor.ts"

/** Where a vendor's requests go. */
export interface Endpoint {
  /** Replaces the URL of the vendor's server, e.g. a loopback mock in tests. */
  readonly baseUrl?: string | undefined
  /** Values of server variables such as amoCRM's `subdomain`. */
  readonly variables?: Readonly<Record<string, string>> | undefined
  /** Replacements for operations with a server of their own, keyed by the spec's server URL. */
  readonly servers?: Readonly<Record<string, string>> | undefined
  /** Headers sent with every request, e.g. your own `User-Agent`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** The `User-Agent` sent unless the endpoint sets one. */
export const userAgent = (vendor: Vendor.Vendor): string => `vendor-sdk/0.1.0 (${vendor.name})`

/** The build options an endpoint stands for. */
export const buildOptions = (endpoint: Endpoint): Operation.BuildOptions => ({
  baseUrl: (server, isVendorServer) =>
    (isVendorServer ? endpoint.baseUrl : endpoint.servers?.[server.url]) ??
      Vendor.serverUrl(server, endpoint.variables),
  serverVariables: endpoint.variables
})

/**
 * A URL of the vendor (a token endpoint, say) as the endpoint configuration places it: server
 * variables are filled in, and a URL on the vendor's server follows `baseUrl` when one is set, so a
 * loopback mock serves the token endpoint too.
 */
export const resolveUrl = (url: string, vendor: Vendor.Vendor, endpoint: Endpoint): string => {
  const filled = Vendor.serverUrl({ url, variables: vendor.server.variables }, endpoint.variables)
  const server = Vendor.serverUrl(vendor.server, endpoint.variables)
  return endpoint.baseUrl !== undefined && filled.startsWith(server)
    ? endpoint.baseUrl.replace(/\/$/, "") + filled.slice(server.length)
    : filled
}

/** What a vendor's generated services call. */
export interface Client {
  readonly vendor: Vendor.Vendor
  readonly endpoint: Endpoint
  /** Runs an operation and decodes its result. */
  readonly execute: <P, A, E, I>(
    op: Operation.Operation<P, A, E, I>,
    params: NoInfer<P>
  ) => Effect.Effect<A, E | Errors.VendorError>
  /** Runs an operation and returns the decoded result with the status, headers and raw body. */
  readonly executeWithResponse: <P, A, E, I>(
    op: Operation.Operation<P, A, E, I>,
    params: NoInfer<P>
  ) => Effect.Effect<Operation.WithResponse<A>, E | Errors.VendorError>
  /** Every item of a paginated operation, fetched page by page as the stream is pulled. */
  readonly stream: <P, A, E, I>(
    op: Operation.Paginated<P, A, E, I>,
    params: NoInfer<P>
  ) => Stream.Stream<I, E | Errors.VendorError>
  /** Every page of a paginated operation. */
  readonly pages: <P, A, E, I>(
    op: Operation.Paginated<P, A, E, I>,
    params: NoInfer<P>
  ) => Stream.Stream<A, E | Errors.VendorError>
  /**
   * Sends a hand-built request through the same auth, rate limit and retry, for endpoints outside
   * the spec. `operationId` names it in spans, logs and errors.
   */
  readonly send: (
    operationId: string,
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<Operation.RawResponse, Errors.AuthenticationError | Errors.TransportError>
}

/** Everything a client is made of. */
export interface Options {
  readonly vendor: Vendor.Vendor
  readonly auth: Auth.Authenticator
  readonly retry: Retry.Policy
  readonly rateLimit: RateLimit.Policy | undefined
  readonly endpoint: Endpoint
}

/** One answered request: the request as built, the request as sent (signed), and the whole body. */
interface Exchange extends Operation.RawResponse {
  readonly headers: Headers.Headers
  readonly request: HttpClientRequest.HttpClientRequest
  readonly signed: HttpClientRequest.HttpClientRequest
}

const lowerCaseKeys = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

const secretKey = /secret|token|password|passwd|api[-_]?key|authorization|signature/i

/** JSON for debug logs, with secret-looking fields masked and long bodies cut. */
const logBody = (body: unknown): string | undefined => {
  if (body === undefined) return undefined
  const text = JSON.stringify(body, (key, value) => secretKey.test(key) && typeof value === "string" ? "<redacted>" : value)
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}

/** Builds a client from its parts. */
export const make = Effect.fnUntraced(function*(options: Options) {
  const { auth, endpoint, retry, vendor } = options
  const timeout = Duration.fromInputUnsafe(retry.attemptTimeout)
  const timedOut = (request: HttpClientRequest.HttpClientRequest) =>
    new HttpClientError.HttpClientError({
      reason: new HttpClientError.TransportError({ request, description: `No response within ${Duration.format(timeout)}` })
    })
  const http = (yield* HttpClient.HttpClient).pipe(
    HttpClient.transform((response, request) =>
      Effect.timeoutOrElse(response, { duration: timeout, orElse: () => Effect.fail(timedOut(request)) })
    )
  )
  // Credentials are added once the limiter has admitted the request, so a signature's timestamp or
  // an access token is never older than the wait for budget; the attempt timeout, beneath both,
  // covers the exchange with the vendor only.
  const signing = HttpClient.makeWith<never, never, HttpClientError.HttpClientError | Auth.CredentialsUnavailable, never>(
    (request) => Effect.flatMap(Effect.flatMap(request, auth.authenticate), http.execute),
    Effect.succeed
  )
  const sendHttp = options.rateLimit === undefined
    ? signing.execute
    : RateLimit.apply(signing, vendor, options.rateLimit, yield* RateLimit.limiterFor(options.rateLimit)).execute
  const redacted = [...(yield* Headers.CurrentRedactedNames), ...vendor.secretHeaders.map((name) => name.toLowerCase())]
  const build = buildOptions(endpoint)
  const schedule = Retry.schedule(retry)
  const defaultHeaders = { "user-agent": userAgent(vendor), ...lowerCaseKeys(endpoint.headers ?? {}) }
  const withDefaults = (request: HttpClientRequest.HttpClientRequest) =>
    HttpClientRequest.setHeaders(request, { ...defaultHeaders, ...request.headers })

  const authenticationError = (operationId: string, error: Auth.CredentialsUnavailable) =>
    new Errors.AuthenticationError({
      vendor: vendor.name,
      operationId,
      status: error.status ?? 0,
      message: error.message,
      body: error.body
    })

  const transportError = (operationId: string, failure: Retry.TransportFailure) =>
    new Errors.TransportError({
      vendor: vendor.name,
      operationId,
      message: failure.cause instanceof Error ? failure.cause.message : String(failure.cause),
      reachedServer: failure.reachedServer,
      cause: failure.cause
    })

  const readResponse = (request: HttpClientRequest.HttpClientRequest, response: HttpClientResponse.HttpClientResponse) =>
    Effect.map(
      Effect.timeoutOrElse(response.text, {
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new Retry.TransportFailure({ cause: new Error(`Body not read within ${Duration.format(timeout)}`), reachedServer: true })
          )
      }),
      (text): Exchange => ({
        status: response.status,
        headers: response.headers,
        body: Operation.parseBody(text, response.headers["content-type"]),
        request,
        signed: response.request
      })
    )

  /** One HTTP exchange: wait for budget, sign, send, read the whole body. */
  const exchange = (operationId: string, request: HttpClientRequest.HttpClientRequest) =>
    sendHttp(request).pipe(
      Effect.flatMap((response) => readResponse(request, response)),
      Effect.catchTags({
        CredentialsUnavailable: (error) => Effect.fail(authenticationError(operationId, error)),
        // The budget could not be read (its store is down): nothing was sent.
        RateLimiterError: (error) => Effect.fail(new Retry.TransportFailure({ cause: error, reachedServer: false })),
        HttpClientError: (error) =>
          Effect.fail(new Retry.TransportFailure({ cause: error, reachedServer: Retry.reachedServer(error) }))
      })
    )

  /** Authenticated exchange, renewing credentials once after a 401. */
  const authenticated = (operationId: string, request: HttpClientRequest.HttpClientRequest, renewed: { done: boolean }) =>
    Effect.gen(function*() {
      const first = yield* exchange(operationId, request)
      if (first.status !== 401 || renewed.done) return first
      renewed.done = true
      const renew = yield* auth.renew(first.signed).pipe(
        Effect.mapError((error) => authenticationError(operationId, error))
      )
      return renew ? yield* exchange(operationId, request) : first
    })

  /** The exchange under the retry policy; the last response is returned even when it failed. */
  const withRetry = (op: Operation.Any, request: HttpClientRequest.HttpClientRequest) => {
    const renewed = { done: false }
    let attempts = 0
    let status: number | undefined
    const attempt = Effect.suspend(() => {
      attempts++
      return authenticated(op.operationId, request, renewed)
    }).pipe(
      Effect.tap((response) => Effect.sync(() => status = response.status)),
      Effect.flatMap((response) =>
        Retry.isRetryableStatus(op, response.status)
          ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(
              new Retry.RetryableResponse({ response, retryAfter: Vendor.retryAfter(vendor, response.headers, now) })
            ))
          : Effect.succeed(response)
      )
    )
    return attempt.pipe(
      Effect.retry({ schedule, while: (failure) => Retry.isRetryable(retry, op, failure) }),
      Effect.catchTags({
        RetryableResponse: (failure) => Effect.succeed(failure.response as Exchange),
        TransportFailure: (failure) => Effect.fail(transportError(op.operationId, failure))
      }),
      Effect.ensuring(
        Effect.suspend(() =>
          Effect.annotateCurrentSpan({
            "retry.count": Math.max(attempts - 1, 0),
            ...(status === undefined ? {} : { "http.response.status_code": status })
          })
        )
      )
    )
  }

  const traced = <A, E>(op: Operation.Any, effect: Effect.Effect<A, E>) =>
    effect.pipe(
      Effect.provideService(Headers.CurrentRedactedNames, redacted),
      Effect.annotateLogs({ vendor: vendor.name, operationId: op.operationId }),
      Effect.withSpan(`${vendor.name}.${op.operationId}`, {
        kind: "client",
        attributes: { vendor: vendor.name, "operation.id": op.operationId, "http.request.method": op.method }
      })
    )

  // Headers are redacted here, not when a logger formats them later outside this fiber's context.
  const logExchange = (response: Exchange) =>
    Effect.logDebug(`${response.signed.method} ${response.signed.url} -> ${response.status}`).pipe(
      Effect.annotateLogs({
        requestHeaders: Headers.redact(response.signed.headers, redacted),
        responseHeaders: Headers.redact(response.headers, redacted),
        responseBody: logBody(response.body)
      })
    )

  const warn = (response: Exchange) => {
    const warning = JsonPath.firstString(response.body, vendor.warning)
    return warning === undefined ? Effect.void : Effect.logWarning(`${vendor.title} warning: ${warning}`)
  }

  const run = <P, A, E, I>(
    op: Operation.Operation<P, A, E, I>,
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<Operation.WithResponse<A>, E | Errors.VendorError> =>
    Effect.gen(function*() {
      const response = yield* withRetry(op, request)
      yield* logExchange(response)
      const value = yield* Operation.decodeResponse(op, response)
      yield* warn(response)
      return { value, status: response.status, headers: response.headers, body: response.body, request: response.request }
    })

  const executeWithResponse = <P, A, E, I>(op: Operation.Operation<P, A, E, I>, params: P) =>
    traced(op, Effect.flatMap(Operation.buildRequest(op, params, build), (request) => run(op, withDefaults(request))))

  const execute = <P, A, E, I>(op: Operation.Operation<P, A, E, I>, params: P) =>
    Effect.map(executeWithResponse(op, params), (response) => response.value)

  const fetchPage = <P, A, E, I>(op: Operation.Paginated<P, A, E, I>) => (params: P, url: string | undefined) =>
    url === undefined ? execute(op, params) : traced(
      op,
      Effect.flatMap(Operation.buildRequest(op, params, build), (request) => {
        const base = request.url
        return Effect.map(
          run(op, withDefaults(HttpClientRequest.setUrl(HttpClientRequest.setUrlParams(request, []), new URL(url, base).toString()))),
          (response) => response.value
        )
      })
    )

  return {
    vendor,
    endpoint,
    execute,
    executeWithResponse,
    stream: (op, params) => Pagination.stream(op.pagination, params, fetchPage(op)),
    pages: (op, params) => Pagination.pages(op.pagination, params, fetchPage(op)),
    send: (operationId, request) => {
      const op = Operation.make<void, unknown>({
        vendor,
        operationId,
        method: request.method as Operation.Method,
        path: "",
        params: undefined as never,
        parameters: [],
        responses: []
      })
      return traced(
        op,
        Effect.map(withRetry(op, withDefaults(request)), ({ body, headers, status }) => ({ status, headers, body }))
      )
    }
  } satisfies Client as Client
})
