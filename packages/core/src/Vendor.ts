/**
 * What core needs to know about a vendor, generated from the root of its spec: the default server,
 * how its error bodies read, its documented rate limit and retry defaults.
 *
 * Vendor differences live here as data, so core never branches on a vendor's name.
 *
 * @since 0.1.0
 */
import type { Duration } from "effect"
import { Headers } from "effect/http"
import * as Errors from "./Errors.ts"
import * as JsonPath from "./internal/path.ts"

/** A server URL template and its variables (`https://{subdomain}.amocrm.ru`). */
export interface Server {
  readonly url: string
  readonly variables: Readonly<Record<string, { readonly default: string; readonly enum?: ReadonlyArray<string> }>>
}

/** A constructor for a vendor-declared error, e.g. amoCRM's `AccountBlocked`. */
export interface ErrorConstructor {
  new(fields: ResponseFields): { readonly _tag: string } & Error
}

/** The fields a response-derived error is built from. */
export interface ResponseFields {
  readonly vendor: string
  readonly operationId: string
  readonly status: number
  readonly message: string
  readonly requestId?: string | undefined
  readonly correlationId?: string | undefined
  readonly code?: string | undefined
  readonly body?: unknown
}

/** How to read the vendor's error bodies (`x-errors` in the spec). Each list holds paths tried in order. */
export interface ErrorMapping {
  readonly message: ReadonlyArray<JsonPath.Path>
  readonly code: ReadonlyArray<JsonPath.Path>
  readonly correlationId: ReadonlyArray<JsonPath.Path>
  readonly requestId: ReadonlyArray<JsonPath.Path>
  readonly requestIdHeaders: ReadonlyArray<string>
  readonly fieldErrors?: {
    readonly at: JsonPath.Path
    readonly path: ReadonlyArray<JsonPath.Path>
    readonly message: ReadonlyArray<JsonPath.Path>
    readonly code: ReadonlyArray<JsonPath.Path>
  } | undefined
  /** Statuses the vendor gives a meaning of its own, mapped to a declared error. */
  readonly statuses: Readonly<Record<number, ErrorConstructor>>
  /** Declared errors the retry policy must never retry. */
  readonly fatal: ReadonlyArray<ErrorConstructor>
}

/** The vendor's documented request budget (`x-rate-limit`). */
export interface RateLimitDefaults {
  readonly limit: number
  readonly window: Duration.Input
  readonly algorithm: "fixed-window" | "token-bucket"
  /** Tokens a request of this method costs; 1 when absent. */
  readonly cost: Readonly<Partial<Record<string, number>>>
  /** The vendor's own rate-limit response headers. */
  readonly headers: {
    readonly limit?: string | undefined
    readonly remaining?: string | undefined
    readonly reset?: string | undefined
    readonly resetAfter?: string | undefined
    readonly retryAfter?: string | undefined
  }
}

/** Retry defaults (`x-retry`); core's own defaults apply where the spec is silent. */
export interface RetryDefaults {
  readonly times: number
  readonly base: Duration.Input
  readonly cap: Duration.Input
}

/** A vendor as the generated code describes it. */
export interface Vendor {
  /** The package name, e.g. `helpscout`; also the span-name prefix. */
  readonly name: string
  readonly title: string
  readonly server: Server
  readonly errors: ErrorMapping
  readonly rateLimit: RateLimitDefaults | undefined
  readonly retry: RetryDefaults
  /** Where a successful body carries a warning to surface (`x-response-warning`). */
  readonly warning: ReadonlyArray<JsonPath.Path>
  /** Headers that carry secrets for this vendor, redacted from logs and spans. */
  readonly secretHeaders: ReadonlyArray<string>
}

/** Core's retry defaults: 5 retries, exponential from 500 ms, each wait capped at 30 s. */
export const defaultRetry: RetryDefaults = { times: 5, base: "500 millis", cap: "30 seconds" }

/** An error mapping that reads a `message` field and nothing else. */
export const defaultErrors: ErrorMapping = {
  message: [["message"]],
  code: [],
  correlationId: [],
  requestId: [],
  requestIdHeaders: [],
  statuses: {},
  fatal: []
}

/** Builds a vendor description, filling core defaults. */
export const make = (vendor: {
  readonly name: string
  readonly title: string
  readonly server: Server
  readonly errors?: Partial<ErrorMapping> | undefined
  readonly rateLimit?: RateLimitDefaults | undefined
  readonly retry?: Partial<RetryDefaults> | undefined
  readonly warning?: ReadonlyArray<JsonPath.Path> | undefined
  readonly secretHeaders?: ReadonlyArray<string> | undefined
}): Vendor => ({
  name: vendor.name,
  title: vendor.title,
  server: vendor.server,
  errors: { ...defaultErrors, ...vendor.errors },
  rateLimit: vendor.rateLimit,
  retry: { ...defaultRetry, ...vendor.retry },
  warning: vendor.warning ?? [],
  secretHeaders: vendor.secretHeaders ?? []
})

/** The URL of a server with its variables filled in; unknown variables keep their defaults. */
export const serverUrl = (server: Server, variables: Readonly<Record<string, string>> = {}): string =>
  server.url.replace(/\{([^}]+)\}/g, (_, name: string) => variables[name] ?? server.variables[name]?.default ?? "")

/** The header names that say how long to wait, the vendor's own first. */
export const retryAfterHeaders = (vendor: Vendor): ReadonlyArray<string> =>
  vendor.rateLimit?.headers.retryAfter === undefined
    ? ["retry-after"]
    : [vendor.rateLimit.headers.retryAfter.toLowerCase(), "retry-after"]

/** The wait a response asks for, if any. */
export const retryAfter = (
  vendor: Vendor,
  headers: Headers.Headers,
  now: number
): Duration.Duration | undefined => {
  for (const name of retryAfterHeaders(vendor)) {
    const raw = headers[name]
    if (raw === undefined) continue
    const parsed = Headers.parseRetryAfter(raw)
    if (parsed._tag === "Success") return Headers.retryAfterDelay(parsed.success, now)
  }
  return undefined
}

/** The error a non-success response stands for. */
export const responseError = (
  vendor: Vendor,
  operationId: string,
  response: { readonly status: number; readonly headers: Headers.Headers; readonly body: unknown },
  now: number
): Errors.VendorError | ({ readonly _tag: string } & Error) => {
  const mapping = vendor.errors
  const { body, headers, status } = response
  const fields: ResponseFields = {
    vendor: vendor.name,
    operationId,
    status,
    message: JsonPath.firstString(body, mapping.message) ??
      (typeof body === "string" && body.length > 0 && body.length < 500 ? body : `HTTP ${status}`),
    requestId: JsonPath.firstString(body, mapping.requestId) ??
      mapping.requestIdHeaders.map((name) => headers[name.toLowerCase()]).find((value) => value !== undefined),
    correlationId: JsonPath.firstString(body, mapping.correlationId),
    code: JsonPath.firstString(body, mapping.code),
    body
  }
  const declared = mapping.statuses[status]
  if (declared !== undefined) return new declared(fields)
  if (status === 400 || status === 422) {
    return new Errors.ValidationError({ ...fields, fieldErrors: fieldErrors(mapping, body) })
  }
  if (status === 401) return new Errors.AuthenticationError(fields)
  if (status === 403) return new Errors.PermissionDenied(fields)
  if (status === 404 || status === 410) return new Errors.NotFound(fields)
  if (status === 409 || status === 412) return new Errors.Conflict(fields)
  if (status === 429) return new Errors.RateLimited({ ...fields, retryAfter: retryAfter(vendor, headers, now) })
  if (status >= 500) return new Errors.ServerError(fields)
  return new Errors.UnexpectedStatus(fields)
}

const fieldErrors = (mapping: ErrorMapping, body: unknown): Array<Errors.FieldError> => {
  const spec = mapping.fieldErrors
  if (spec === undefined) return []
  return JsonPath.getAll(body, spec.at).flatMap((entries) => Array.isArray(entries) ? entries : [entries]).map(
    (entry) => {
      const code = JsonPath.firstString(entry, spec.code)
      return {
        path: JsonPath.firstString(entry, spec.path) ?? "",
        message: JsonPath.firstString(entry, spec.message) ?? "invalid",
        ...(code === undefined ? {} : { code })
      }
    }
  )
}
