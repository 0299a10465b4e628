/**
 * A real HTTP server on loopback that records every request and answers through a handler.
 *
 * It is the base of the mock vendors and of the tests: requests travel through a real socket, so
 * what the client sends is exactly what a vendor would receive. Faults can be injected per request:
 * latency, error statuses, a reset connection, a truncated body, invalid JSON, a wrong content type.
 *
 * @since 0.1.0
 */
import { Clock, type Duration, Effect, type Scope } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { NodeHttpServer, NodeHttpServerRequest } from "@effect/platform-node"
import * as Http from "node:http"

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string
  /** The path without the query string. */
  readonly path: string
  /** The query pairs in the order they were sent. */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw body. */
  readonly text: string
  /** The body parsed: JSON, form pairs as an object of strings, or `undefined`. */
  readonly body: unknown
  /** When it arrived, by the Clock of the server's scope (virtual under `TestClock`). */
  readonly receivedAt: number
}

/** Something the server does instead of (or before) answering normally. */
export type Fault =
  | { readonly _tag: "Latency"; readonly delay: Duration.Input }
  | {
    readonly _tag: "Status"
    readonly status: number
    /** Seconds, sent as `Retry-After`. */
    readonly retryAfter?: number | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly body?: unknown
  }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Truncate" }
  | { readonly _tag: "InvalidJson" }
  | { readonly _tag: "WrongContentType" }

/** What the handler answers. */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A string is sent as is; anything else as JSON. `undefined` sends no body. */
  readonly body?: unknown
  readonly contentType?: string | undefined
  readonly fault?: Fault | undefined
}

/** A running server. */
export interface Server {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Every request so far, in arrival order. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** Forgets the recorded requests. */
  readonly clear: Effect.Effect<void>
}

const parseBody = (text: string, contentType: string | undefined): unknown => {
  if (text.length === 0) return undefined
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const bodyText = (reply: Reply): string | undefined =>
  reply.body === undefined ? undefined : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)

/** Answers a reply, applying its fault. */
const respond = (
  request: HttpServerRequest.HttpServerRequest,
  reply: Reply
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const fault = reply.fault
  const text = bodyText(reply)
  const contentType = reply.contentType ?? (typeof reply.body === "string" ? "text/plain" : "application/json")
  const headers = { ...reply.headers }
  if (fault !== undefined) {
    switch (fault._tag) {
      case "Latency":
        return Effect.flatMap(Effect.sleep(fault.delay), () => respond(request, { ...reply, fault: undefined }))
      case "Status":
        return Effect.succeed(HttpServerResponse.text(JSON.stringify(fault.body ?? { message: `injected ${fault.status}` }), {
          status: fault.status,
          contentType: "application/json",
          headers: { ...(fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) }), ...fault.headers }
        }))
      case "Reset":
      case "Truncate":
        return Effect.sync(() => {
          const raw = NodeHttpServerRequest.toServerResponse(request) as Http.ServerResponse
          if (fault._tag === "Truncate" && text !== undefined) {
            raw.writeHead(reply.status, { ...headers, "content-type": contentType, "content-length": String(Buffer.byteLength(text)) })
            raw.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))))
          }
          raw.socket?.destroy()
          return HttpServerResponse.empty({ status: 500 })
        })
      case "InvalidJson":
        return Effect.succeed(HttpServerResponse.text(`${text ?? ""}{"broken":`, { status: reply.status, contentType: "application/json", headers }))
      case "WrongContentType":
        // What a proxy in front of the vendor answers: an HTML page instead of the API's JSON.
        return Effect.succeed(
          HttpServerResponse.text("<html><body><h1>Service Unavailable</h1></body></html>", {
            status: reply.status,
            contentType: "text/html",
            headers
          })
        )
    }
  }
  return Effect.succeed(
    text === undefined
      ? HttpServerResponse.empty({ status: reply.status, headers })
      : HttpServerResponse.text(text, { status: reply.status, contentType, headers })
  )
}

/** Starts a server on loopback for the lifetime of the scope. Port 0 (the default) picks a free one. */
export const make = <R>(
  handler: (request: RecordedRequest) => Effect.Effect<Reply, never, R>,
  options: { readonly port?: number | undefined } = {}
): Effect.Effect<Server, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const http = yield* NodeHttpServer.make(() => Http.createServer({ keepAliveTimeout: 1000 }), {
      port: options.port ?? 0,
      host: "127.0.0.1"
    }).pipe(Effect.orDie)
    const recorded: Array<RecordedRequest> = []
    yield* http.serve(Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      const url = new URL(request.url, "http://127.0.0.1")
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = String(value)
      const recordedRequest: RecordedRequest = {
        method: request.method,
        path: url.pathname,
        query: [...url.searchParams.entries()],
        headers,
        text,
        body: parseBody(text, headers["content-type"]),
        receivedAt: yield* Clock.currentTimeMillis
      }
      recorded.push(recordedRequest)
      return yield* Effect.flatMap(handler(recordedRequest), (reply) => respond(request, reply))
    }))
    const address = http.address
    const port = address._tag === "UnixPathAddress" ? 0 : address.port
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      requests: Effect.sync(() => [...recorded]),
      clear: Effect.sync(() => void recorded.splice(0))
    }
  })
