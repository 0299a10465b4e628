/**
 * Operation descriptors and the two pure functions every generated call goes through:
 *
 * - {@link buildRequest} turns an operation and its params into an `HttpClientRequest`, or fails with
 *   `InvalidRequest` without sending anything;
 * - {@link decodeResponse} turns a status, headers and body into the operation's result or a typed error.
 *
 * Generated packages export one descriptor per operationId in their `operations` registry.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Schema } from "effect"
import { Headers, HttpClientRequest, UrlParams } from "effect/http"
import * as Errors from "./Errors.ts"
import * as Encoding from "./Encoding.ts"
import type * as JsonPath from "./internal/path.ts"
import * as Vendor from "./Vendor.ts"

/** HTTP methods an operation can use. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"

/** One input of an operation that travels outside the body. */
export interface Parameter {
  /** The key in the params object. */
  readonly name: string
  /** The name on the wire. */
  readonly wireName: string
  readonly in: "path" | "query" | "header" | "cookie"
  readonly style: Encoding.Style
  readonly explode: boolean
  /** Send reserved characters (`/`, `?`, …) as they are; a path parameter may then span segments. */
  readonly allowReserved?: boolean | undefined
}

/** Where the body comes from: one param holding all of it, or constants plus params placed at paths. */
export type BodySource =
  | { readonly _tag: "Param"; readonly name: string }
  | {
    readonly _tag: "Fields"
    readonly constant: Readonly<Record<string, unknown>>
    readonly fields: ReadonlyArray<{ readonly param: string; readonly path: ReadonlyArray<string> }>
  }

/** The request body of an operation. */
export interface Body {
  readonly contentType: string
  readonly encoding: "json" | "form" | "multipart" | "text" | "binary"
  readonly source: BodySource
}

/** One documented response. */
export interface Response {
  readonly status: number | "1XX" | "2XX" | "3XX" | "4XX" | "5XX" | "default"
  /** Decodes the result; absent when the response has no content. */
  readonly schema?: Schema.Top | undefined
  /** Result fields read from response headers instead of the body (`x-id-header`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** How a list operation pages (`x-pagination`). */
export interface Pagination {
  /** Where the items are in a page. A page without them is empty and ends the stream. */
  readonly items: JsonPath.Path
  /** Page-number paging: the param to increment and its first value. */
  readonly page?: { readonly param: string; readonly start: number } | undefined
  /** Offset paging: the offset param, the limit param and the page size to ask for. */
  readonly offset?: { readonly param: string; readonly limitParam: string; readonly limit: number } | undefined
  /** Follow this link (absolute or relative URL) for the next page; its absence ends the stream. */
  readonly nextLink?: JsonPath.Path | undefined
  /** The number of pages, and the current page number, when the vendor reports them. */
  readonly totalPages?: JsonPath.Path | undefined
  readonly currentPage?: JsonPath.Path | undefined
}

declare const Types: unique symbol

/**
 * An operation of a vendor API. `Params` is what callers pass, `Success` the decoded result,
 * `Failure` the vendor-declared errors beyond {@link Errors.VendorError}, `Item` the element of a
 * paginated list.
 */
export interface Operation<in out Params, out Success, out Failure = never, out Item = never> {
  readonly [Types]?: {
    readonly params: (_: Params) => Params
    readonly success: Success
    readonly failure: Failure
    readonly item: Item
  }
  readonly vendor: Vendor.Vendor
  readonly operationId: string
  readonly method: Method
  /** The path template relative to the server, e.g. `/v2/conversations/{conversationId}`. */
  readonly path: string
  /** A server of its own (amoCRM Drive, a token endpoint); the vendor's server otherwise. */
  readonly server: Vendor.Server | undefined
  readonly params: Schema.Codec<Params, unknown>
  readonly parameters: ReadonlyArray<Parameter>
  readonly body: Body | undefined
  readonly responses: ReadonlyArray<Response>
  readonly pagination: Pagination | undefined
  /** Whether repeating the request is harmless; decides which failures the retry policy retries. */
  readonly idempotent: boolean
}

/** Any operation. */
export type Any = Operation<any, any, any, any>

/** The params type of an operation. */
export type Params<Op> = Op extends Operation<infer P, any, any, any> ? P : never
/** The success type of an operation. */
export type Success<Op> = Op extends Operation<any, infer A, any, any> ? A : never
/** The vendor-declared failures of an operation. */
export type Failure<Op> = Op extends Operation<any, any, infer E, any> ? E : never
/** The item type of a paginated operation. */
export type Item<Op> = Op extends Operation<any, any, any, infer I> ? I : never

/** A paginated operation. */
export interface Paginated<in out Params, out Success, out Failure, out Item>
  extends Operation<Params, Success, Failure, Item>
{
  readonly pagination: Pagination
}

/** Declares an operation; generated registries call this once per operationId. */
export const make = <Params, Success, Failure = never, Item = never>(
  options: Omit<Operation<Params, Success, Failure, Item>, "idempotent" | "server" | "body" | "pagination"> & {
    readonly idempotent?: boolean | undefined
    readonly server?: Vendor.Server | undefined
    readonly body?: Body | undefined
    readonly pagination?: Pagination | undefined
  }
): Operation<Params, Success, Failure, Item> => ({
  ...options,
  server: options.server,
  body: options.body,
  pagination: options.pagination,
  idempotent: options.idempotent ?? (options.method !== "POST" && options.method !== "PATCH")
})

/** Declares a paginated operation. */
export const makePaginated = <Params, Success, Failure, Item>(
  options: Parameters<typeof make<Params, Success, Failure, Item>>[0] & { readonly pagination: Pagination }
): Paginated<Params, Success, Failure, Item> => make(options) as Paginated<Params, Success, Failure, Item>

/** A decoded result together with the response it came from. */
export interface WithResponse<A> {
  readonly value: A
  readonly status: number
  readonly headers: Headers.Headers
  /** The body as received (parsed JSON, text, or `undefined` when empty). */
  readonly body: unknown
  readonly request: HttpClientRequest.HttpClientRequest
}

/** Options for {@link buildRequest}. */
export interface BuildOptions {
  /** Replaces the server URL: a string for the vendor's server, or a function of the operation's server. */
  readonly baseUrl?: string | ((server: Vendor.Server, isVendorServer: boolean) => string) | undefined
  /** Values for server variables such as `subdomain`. */
  readonly serverVariables?: Readonly<Record<string, string>> | undefined
}

interface Compiled {
  readonly encodeParams: (input: unknown) => Effect.Effect<unknown, Schema.SchemaError>
  readonly decoders: Map<Response, (input: unknown) => Effect.Effect<unknown, Schema.SchemaError>>
}

// Encoders and decoders are built once per operation, on first use, not per call.
const compiled = new WeakMap<Any, Compiled>()
const compile = (op: Any): Compiled => {
  let entry = compiled.get(op)
  if (entry === undefined) {
    entry = { encodeParams: Schema.encodeUnknownEffect(op.params), decoders: new Map() }
    compiled.set(op, entry)
  }
  return entry
}
const decoderFor = (op: Any, response: Response, schema: Schema.Top) => {
  const entry = compile(op)
  let decode = entry.decoders.get(response)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEffect(schema as Schema.Codec<unknown, unknown>)
    entry.decoders.set(response, decode)
  }
  return decode
}

/** The base URL an operation is sent to. */
export const resolveBaseUrl = (op: Any, options: BuildOptions = {}): string => {
  const server = op.server ?? op.vendor.server
  const isVendorServer = op.server === undefined
  if (typeof options.baseUrl === "function") return options.baseUrl(server, isVendorServer)
  if (options.baseUrl !== undefined && isVendorServer) return options.baseUrl
  return Vendor.serverUrl(server, options.serverVariables)
}

/**
 * Builds the request for an operation without sending it. Fails with `InvalidRequest`, naming the
 * parameter and the path inside it, when the params do not match their Schemas.
 */
export const buildRequest = <P, A, E, I>(
  op: Operation<P, A, E, I>,
  params: NoInfer<P>,
  options?: BuildOptions
): Effect.Effect<HttpClientRequest.HttpClientRequest, Errors.InvalidRequest> =>
  Effect.map(
    Effect.mapError(compile(op).encodeParams(params ?? {}), (error) => {
      const { message, path } = Errors.firstIssue(error)
      return new Errors.InvalidRequest({
        vendor: op.vendor.name,
        operationId: op.operationId,
        parameter: path.length === 0 ? "params" : String(path[0]),
        path: path.slice(1),
        message
      })
    }),
    (encoded) => requestFromEncoded(op, encoded as Record<string, unknown>, options)
  )

const requestFromEncoded = (
  op: Any,
  encoded: Record<string, unknown>,
  options: BuildOptions | undefined
): HttpClientRequest.HttpClientRequest => {
  let path = op.path
  const query: Array<readonly [string, string]> = []
  const headers: Record<string, string> = { accept: "application/json" }
  const cookies: Array<string> = []
  for (const parameter of op.parameters) {
    const value = encoded[parameter.name]
    if (value === undefined || value === null) continue
    switch (parameter.in) {
      case "path":
        path = path.replace(`{${parameter.wireName}}`, Encoding.pathSegment(value, parameter.allowReserved === true))
        break
      case "query":
        query.push(...Encoding.queryPairs(parameter.wireName, value, parameter.style, parameter.explode))
        break
      case "header":
        headers[parameter.wireName.toLowerCase()] = Encoding.headerValue(value)
        break
      case "cookie":
        cookies.push(`${parameter.wireName}=${encodeURIComponent(Encoding.headerValue(value))}`)
        break
    }
  }
  if (cookies.length > 0) headers.cookie = cookies.join("; ")
  const request = HttpClientRequest.make(op.method)(resolveBaseUrl(op, options) + path, {
    headers,
    urlParams: UrlParams.make(query)
  })
  return op.body === undefined ? request : withBody(request, op.body, encoded)
}

const bodyValue = (body: Body, encoded: Record<string, unknown>): unknown => {
  const source = body.source
  if (source._tag === "Param") return encoded[source.name]
  const value: Record<string, unknown> = structuredClone(source.constant) as Record<string, unknown>
  for (const field of source.fields) {
    const fieldValue = encoded[field.param]
    if (fieldValue !== undefined) Encoding.setAtPath(value, field.path, fieldValue)
  }
  return value
}

const withBody = (
  request: HttpClientRequest.HttpClientRequest,
  body: Body,
  encoded: Record<string, unknown>
): HttpClientRequest.HttpClientRequest => {
  const value = bodyValue(body, encoded)
  if (value === undefined) return request
  switch (body.encoding) {
    case "json":
      return HttpClientRequest.bodyText(request, JSON.stringify(value), body.contentType)
    case "form":
      return HttpClientRequest.bodyUrlParams(request, Encoding.formPairs(value))
    case "multipart":
      return HttpClientRequest.bodyFormData(request, formData(value))
    case "text":
      return HttpClientRequest.bodyText(request, String(value), body.contentType)
    case "binary":
      return value instanceof Uint8Array
        ? HttpClientRequest.bodyUint8Array(request, value, body.contentType)
        : HttpClientRequest.bodyText(request, String(value), body.contentType)
  }
}

const formData = (value: unknown): FormData => {
  const data = new FormData()
  if (typeof value !== "object" || value === null) return data
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue
    if (item instanceof Uint8Array) data.append(key, new Blob([item as Uint8Array<ArrayBuffer>]), key)
    else if (item instanceof Blob) data.append(key, item)
    else data.append(key, typeof item === "object" ? JSON.stringify(item) : Encoding.scalar(item))
  }
  return data
}

/** What {@link decodeResponse} reads: the status, the headers and the parsed body. */
export interface RawResponse {
  readonly status: number
  readonly headers: Headers.Input | Headers.Headers
  /** Parsed JSON, text, or `undefined` for an empty body. */
  readonly body: unknown
}

const statusClass = (status: number) => `${Math.floor(status / 100)}XX`

/** The documented response a status falls under. */
export const responseFor = (op: Any, status: number): Response | undefined =>
  op.responses.find((r) => r.status === status) ??
    op.responses.find((r) => r.status === statusClass(status)) ??
    op.responses.find((r) => r.status === "default")

const isSuccess = (status: number) => status >= 200 && status < 300

/**
 * Decodes a response into the operation's result, or maps it to a typed error.
 *
 * A success status the spec does not list is decoded with the first documented success schema.
 * An empty success on a paginated operation (amoCRM answers an empty list with 204) is an empty page.
 */
export const decodeResponse = <P, A, E, I>(
  op: Operation<P, A, E, I>,
  response: RawResponse
): Effect.Effect<A, E | Errors.VendorError> => {
  const headers = Headers.fromInput(response.headers as Headers.Input)
  const { body, status } = response
  if (!isSuccess(status)) {
    return Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => Effect.fail(Vendor.responseError(op.vendor, op.operationId, { status, headers, body }, now) as E)
    )
  }
  const declared = responseFor(op, status)
  const successes = op.responses.filter((r) => typeof r.status === "number" ? isSuccess(r.status) : r.status === "2XX")
  const documented = declared !== undefined && isSuccessSpec(declared) ? declared : successes[0]
  if (documented === undefined) return Effect.succeed(undefined as A)
  if (documented.headers !== undefined && documented.schema !== undefined) {
    const fromHeaders: Record<string, string | undefined> = {}
    for (const [field, name] of Object.entries(documented.headers)) fromHeaders[field] = headers[name.toLowerCase()]
    return decodeWith(op, documented, documented.schema, fromHeaders, status)
  }
  if (body === undefined) {
    if (op.pagination !== undefined) {
      const page = successes.find((r) => r.schema !== undefined)
      if (page?.schema !== undefined) return decodeWith(op, page, page.schema, {}, status)
    }
    if (documented.schema === undefined || status === 204) return Effect.succeed(undefined as A)
  }
  if (documented.schema === undefined) return Effect.succeed(undefined as A)
  return decodeWith(op, documented, documented.schema, body, status)
}

const isSuccessSpec = (r: Response) => typeof r.status === "number" ? isSuccess(r.status) : r.status === "2XX"

const decodeWith = <A>(
  op: Any,
  response: Response,
  schema: Schema.Top,
  input: unknown,
  status: number
): Effect.Effect<A, Errors.DecodeError> =>
  Effect.mapError(decoderFor(op, response, schema)(input) as Effect.Effect<A, Schema.SchemaError>, (error) => {
    const { message, path } = Errors.firstIssue(error)
    return new Errors.DecodeError({
      vendor: op.vendor.name,
      operationId: op.operationId,
      status,
      schemaPath: path,
      message,
      body: input
    })
  })

/**
 * Parses a response body the way {@link decodeResponse} expects it: JSON when it looks like JSON,
 * otherwise the text, and `undefined` when empty.
 */
export const parseBody = (text: string, contentType: string | undefined): unknown => {
  if (text.length === 0) return undefined
  const looksJson = contentType === undefined || /json/i.test(contentType) || /^\s*[[{"]/.test(text)
  if (!looksJson) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
