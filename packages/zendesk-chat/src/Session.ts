/**
 * The Conversations API transport: a `GraphQLProtocol` over one agent session.
 *
 * 1. `startAgentSession` is sent by HTTP POST with the access token from {@link Auth}; Zendesk
 *    answers with `websocket_url`, `session_id` and `client_id`.
 * 2. The socket at `websocket_url` carries every other operation as a request frame
 *    `{ type: "request", id, payload: { query, variables, operationName } }`. Answers are matched by
 *    `id`, so any number of requests can be in flight.
 * 3. A subscription's answer carries a `subscription_id`; its pushes
 *    `{ sig: "DATA", subscription_id, payload }` go to that subscription's Stream. When the Stream
 *    ends or is interrupted, `{ type: "stop_subscription", payload: { subscription_id } }` is sent.
 * 4. A `PING` goes out every `pingInterval`; a socket that stays silent until the next ping is dead.
 * 5. On `{ sig: "EOS" }` a new agent session is started; when the socket is lost without EOS, the same
 *    URL is reopened first. Either way every live subscription is started again on the new socket
 *    and keeps feeding the same Stream, so consumers see no gap (the server does not resend pushes
 *    from before the reconnect). Requests in flight when the socket goes fail with a retryable
 *    `TransportError`; requests made while reconnecting wait for the new socket. Reconnecting backs
 *    off exponentially from `reconnect.base` to `reconnect.cap` and gives up after `reconnect.times`
 *    failed attempts in a row; then everything fails with a fatal `TransportError`.
 *
 * An error frame whose payload is `{ body }` (a protocol error, e.g. the GraphQL server is down)
 * fails its request or subscription with a `TransportError` carrying `body` and the status.
 *
 * The layer connects when it is built, and fails if the first session cannot be started.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Deferred, Duration, Effect, Exit, Layer, Queue, Redacted, Scope, Stream } from "effect"
import { GraphQLClient, GraphQLClientError, GraphQLProtocol } from "effect/graphql"
import type { HttpClient } from "effect/http"
import { Socket } from "effect/socket"
import type { Auth as CoreAuth } from "@vendor-sdk/core"
import { accessToken, Auth } from "./Auth.ts"
import { type DeclaredError, type Errors, vendor } from "./generated/vendor.ts"
import { httpGroup } from "./generated/ZendeskChat.ts"

const TransportError = GraphQLClientError.TransportError
type TransportError = GraphQLClientError.TransportError

/** How the session connects and stays connected. */
export interface Options {
  /** Where `startAgentSession` is posted. Defaults to the vendor's endpoint. */
  readonly url?: string | undefined
  /** The keep-alive interval. Defaults to 20 seconds (Zendesk's samples ping every 5 to 40). */
  readonly pingInterval?: Duration.Input | undefined
  /** How long opening the socket may take. Defaults to 10 seconds. */
  readonly openTimeout?: Duration.Input | undefined
  /**
   * Reconnect backoff: the first delay (1 second), the longest (30 seconds), and the failed attempts
   * in a row before giving up (10). A connection that lasted `cap` resets the count.
   */
  readonly reconnect?: {
    readonly base?: Duration.Input | undefined
    readonly cap?: Duration.Input | undefined
    readonly times?: number | undefined
  } | undefined
}

/** What starting the first session can fail with. */
export type StartError = DeclaredError | GraphQLClientError.GraphQLClientError | CoreAuth.CredentialsUnavailable

/** An agent session as `startAgentSession` returned it. */
export interface SessionInfo {
  readonly websocketUrl: string
  readonly sessionId: string
  readonly clientId: string
}

/** What the server answers or pushes: the GraphQL payload and the HTTP status it came with. */
interface Answer {
  readonly body: unknown
  readonly status?: number | undefined
}

interface Frame {
  readonly id?: unknown
  readonly sig?: unknown
  readonly subscription_id?: unknown
  readonly reason?: unknown
  readonly payload?: unknown
  readonly error_code?: unknown
  readonly errorCode?: unknown
}

/** A request waiting for its answer on a connection. */
interface Pending {
  readonly answer: (frame: Frame) => Effect.Effect<void>
  readonly lost: (error: TransportError) => void
}

interface Connection {
  readonly info: SessionInfo
  readonly writer: Socket.Writer
  readonly pending: Map<string, Pending>
  /** Whether any frame arrived since the last ping. */
  heard: boolean
  closed: boolean
}

/** A live subscription; it outlives connections. */
interface Subscription {
  readonly request: GraphQLProtocol.GraphQLRequest
  readonly queue: Queue.Queue<Answer, TransportError | Cause.Done>
  /** The connection it was last started on, and the id the server gave it there. */
  connection: Connection | undefined
  serverId: string | undefined
  released: boolean
}

type Outcome =
  | { readonly _tag: "EndOfService"; readonly reason: string }
  | { readonly _tag: "Lost"; readonly error: TransportError }

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// The guide names the status key `error_code`; third-party code reads `errorCode`.
const statusOf = (frame: Frame): number | undefined => {
  const raw = frame.error_code ?? frame.errorCode
  const status = typeof raw === "string" ? Number(raw) : raw
  return typeof status === "number" && Number.isFinite(status) ? status : undefined
}

/** A `protocolErrorPayload`: `{ body }` instead of `data` or `errors`. */
const protocolError = (frame: Frame): TransportError | undefined => {
  const payload = frame.payload
  if (!isObject(payload) || typeof payload.body !== "string" || "data" in payload || "errors" in payload) return undefined
  const status = statusOf(frame)
  return new TransportError({
    description: `Zendesk Chat protocol error${status === undefined ? "" : ` (${status})`}: ${payload.body}`,
    status,
    fatal: true
  })
}

const requestPayload = (request: GraphQLProtocol.GraphQLRequest) => ({
  query: request.query,
  variables: request.variables,
  operationName: request.operationName
})

/** Posts `startAgentSession` with the token from `Auth`; renews the token once after `UNAUTHORIZED`. */
const makeStarter = (url: string) =>
  Effect.gen(function*() {
    const authenticator = yield* Auth
    const client = yield* GraphQLClient.make(httpGroup).pipe(
      Effect.provideServiceEffect(GraphQLProtocol.GraphQLProtocol, GraphQLProtocol.makeHttp({ url }))
    )
    const attempt = Effect.gen(function*() {
      const { request, token } = yield* accessToken(authenticator, url)
      return { request, result: yield* Effect.result(client.startAgentSession({ access_token: Redacted.value(token) })) }
    })
    return Effect.gen(function*() {
      const first = yield* attempt
      const rejected = first.result._tag === "Failure" && first.result.failure._tag === "Unauthorized"
      const { result } = rejected && (yield* authenticator.renew(first.request)) ? yield* attempt : first
      const payload = (yield* Effect.fromResult(result)).startAgentSession
      const websocketUrl = payload?.websocket_url
      if (payload === null || typeof websocketUrl !== "string" || websocketUrl === "") {
        return yield* new GraphQLClientError.GraphQLClientError({
          operation: "startAgentSession",
          reason: new TransportError({ description: "startAgentSession answered without a websocket_url", fatal: true })
        })
      }
      return { websocketUrl, sessionId: payload.session_id ?? "", clientId: payload.client_id ?? "" } satisfies SessionInfo
    })
  })

/**
 * The transport as a scoped layer: the session is started and the socket opened when the layer is
 * built, and the socket is closed when its scope closes.
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  GraphQLProtocol.GraphQLProtocol,
  StartError,
  Auth | Errors | HttpClient.HttpClient | Socket.WebSocketConstructor
> => Layer.effect(GraphQLProtocol.GraphQLProtocol, make(options))

/** Builds the transport in the current scope. See {@link layer}. */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const startSession = yield* makeStarter(options.url ?? vendor.endpoints.http)
  const pingInterval = Duration.fromInputUnsafe(options.pingInterval ?? "20 seconds")
  const base = Duration.toMillis(Duration.fromInputUnsafe(options.reconnect?.base ?? "1 second"))
  const cap = Duration.toMillis(Duration.fromInputUnsafe(options.reconnect?.cap ?? "30 seconds"))
  const times = options.reconnect?.times ?? 10
  const layerScope = yield* Effect.scope

  let current: Connection | undefined
  let ready = Deferred.makeUnsafe<Connection, TransportError>()
  /** Set once reconnecting gave up, or after stopAgentSession ended the session. */
  let failure: TransportError | undefined
  let stopping = false
  let nextId = 0
  const subscriptions = new Set<Subscription>()
  const routes = new Map<string, Subscription>()

  const connection: Effect.Effect<Connection, TransportError> = Effect.suspend(() =>
    failure !== undefined ? Effect.fail(failure) : current !== undefined ? Effect.succeed(current) : Deferred.await(ready)
  )

  // A closed connection's writer would wait for a socket that never reopens: fail instead.
  const send = (conn: Connection, frame: object) =>
    Effect.suspend(() =>
      conn.closed
        ? Effect.fail(new TransportError({ description: "The Zendesk Chat socket is closed" }))
        : conn.writer.write(JSON.stringify(frame)).pipe(
          Effect.mapError((cause) => new TransportError({ description: `Cannot write to the Zendesk Chat socket: ${cause.message}`, cause }))
        )
    )

  /** Registers a request id on a connection and sends the frame. */
  const request = (conn: Connection, frame: (id: string) => object, pending: Pending) =>
    Effect.suspend(() => {
      const id = String(++nextId)
      conn.pending.set(id, pending)
      return Effect.as(Effect.onError(send(conn, frame(id)), () => Effect.sync(() => conn.pending.delete(id))), id)
    })

  const answerOf = (frame: Frame): Effect.Effect<Answer, TransportError> => {
    const error = protocolError(frame)
    return error === undefined ? Effect.succeed({ body: frame.payload, status: statusOf(frame) }) : Effect.fail(error)
  }

  const execute = (graphql: GraphQLProtocol.GraphQLRequest): Effect.Effect<Answer, TransportError> =>
    Effect.gen(function*() {
      const conn = yield* connection
      const deferred = Deferred.makeUnsafe<Answer, TransportError>()
      if (graphql.operationName === "stopAgentSession") stopping = true
      const id = yield* request(conn, (id) => ({ type: "request", id, payload: requestPayload(graphql) }), {
        answer: (frame) => Effect.sync(() => Deferred.doneUnsafe(deferred, answerOf(frame))),
        lost: (error) => Deferred.doneUnsafe(deferred, Effect.fail(error))
      })
      return yield* Deferred.await(deferred).pipe(Effect.onInterrupt(() => Effect.sync(() => conn.pending.delete(id))))
    })

  /** Starts a subscription on a connection; its pushes are routed once the server acknowledges it. */
  const start = (subscription: Subscription, conn: Connection) =>
    Effect.suspend(() => {
      subscription.connection = conn
      subscription.serverId = undefined
      return request(conn, (id) => ({ type: "request", id, payload: requestPayload(subscription.request) }), {
        answer: (frame) => {
          const payload = frame.payload
          const data = isObject(payload) ? payload.data : undefined
          const serverId = isObject(data) ? data.subscription_id : undefined
          const error = protocolError(frame)
          if (error !== undefined) return Effect.sync(() => Queue.failCauseUnsafe(subscription.queue, Cause.fail(error)))
          if (typeof serverId !== "string") {
            // The start was refused: hand the errors to the client, which fails the Stream.
            return Effect.sync(() => {
              Queue.offerUnsafe(subscription.queue, { body: payload, status: statusOf(frame) })
              Queue.endUnsafe(subscription.queue)
            })
          }
          if (subscription.released) return stop(conn, serverId)
          subscription.serverId = serverId
          routes.set(serverId, subscription)
          return Effect.void
        },
        // The subscription stays registered and is started again on the next connection.
        lost: () => {}
      }).pipe(Effect.ignore)
    })

  const stop = (conn: Connection, serverId: string) =>
    request(conn, (id) => ({ type: "stop_subscription", id, payload: { subscription_id: serverId } }), {
      answer: () => Effect.void,
      lost: () => {}
    }).pipe(Effect.ignore)

  const release = (subscription: Subscription) =>
    Effect.suspend(() => {
      subscription.released = true
      subscriptions.delete(subscription)
      const { connection: conn, serverId } = subscription
      if (serverId === undefined || conn === undefined || conn.closed) return Effect.void
      routes.delete(serverId)
      return stop(conn, serverId)
    })

  const subscribe = (graphql: GraphQLProtocol.GraphQLRequest): Stream.Stream<Answer, TransportError> =>
    Stream.unwrap(Effect.gen(function*() {
      const subscription: Subscription = {
        request: graphql,
        queue: yield* Queue.unbounded<Answer, TransportError | Cause.Done>(),
        connection: undefined,
        serverId: undefined,
        released: false
      }
      yield* Effect.acquireRelease(Effect.sync(() => subscriptions.add(subscription)), () => release(subscription))
      const conn = yield* connection
      // A reconnect may have started it on this connection already.
      if (subscription.connection !== conn) yield* start(subscription, conn)
      return Stream.fromQueue(subscription.queue)
    }))

  const route = (frame: Frame) =>
    Effect.sync(() => {
      const subscription = typeof frame.subscription_id === "string" ? routes.get(frame.subscription_id) : undefined
      if (subscription === undefined) return
      const error = protocolError(frame)
      if (error !== undefined) Queue.failCauseUnsafe(subscription.queue, Cause.fail(error))
      else Queue.offerUnsafe(subscription.queue, { body: frame.payload, status: statusOf(frame) })
    })

  /** Handles one frame; an EOS ends the connection. */
  const handle = (conn: Connection, text: string): Effect.Effect<Outcome | undefined> => {
    conn.heard = true
    let frame: Frame
    try {
      frame = JSON.parse(text)
    } catch {
      return Effect.as(Effect.logWarning(`Zendesk Chat: ignoring a frame that is not JSON: ${text.slice(0, 200)}`), undefined)
    }
    if (!isObject(frame)) return Effect.succeed(undefined)
    if (frame.sig === "EOS") {
      return Effect.succeed({ _tag: "EndOfService", reason: typeof frame.reason === "string" ? frame.reason : "no reason given" })
    }
    if (frame.sig === "DATA") return Effect.as(route(frame), undefined)
    // Any other signal is the answer to a PING.
    if (frame.sig !== undefined || frame.id === undefined) return Effect.succeed(undefined)
    const id = String(frame.id)
    const pending = conn.pending.get(id)
    if (pending === undefined) return Effect.succeed(undefined)
    conn.pending.delete(id)
    return Effect.as(pending.answer(frame), undefined)
  }

  const lose = (conn: Connection, error: TransportError) => {
    if (conn.closed) return
    conn.closed = true
    if (current === conn) {
      current = undefined
      ready = Deferred.makeUnsafe()
    }
    for (const pending of conn.pending.values()) pending.lost(error)
    conn.pending.clear()
    for (const subscription of subscriptions) {
      if (subscription.connection !== conn) continue
      if (subscription.serverId !== undefined) routes.delete(subscription.serverId)
      subscription.serverId = undefined
    }
  }

  const giveUp = (error: TransportError) =>
    Effect.sync(() => {
      failure = error
      Deferred.doneUnsafe(ready, Effect.fail(error))
      for (const subscription of subscriptions) Queue.failCauseUnsafe(subscription.queue, Cause.fail(error))
    })

  /** Opens the session's socket in a scope of its own; the connection is not in use yet. */
  const open = (info: SessionInfo) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      return yield* Effect.gen(function*() {
        const socket = yield* Socket.makeWebSocket(info.websocketUrl, { openTimeout: options.openTimeout })
        const read = yield* Socket.readerString(socket)
        const conn: Connection = { info, writer: yield* socket.writer, pending: new Map(), heard: true, closed: false }
        return { conn, read, scope }
      }).pipe(
        Scope.provide(scope),
        Effect.onError(() => Scope.close(scope, Exit.void)),
        Effect.mapError((cause) =>
          new GraphQLClientError.GraphQLClientError({
            operation: "openAgentWebSocket",
            reason: new TransportError({ description: `Cannot open the Zendesk Chat socket: ${cause.message}`, cause })
          })
        )
      )
    })

  type Opened = Effect.Success<ReturnType<typeof open>>

  /** Serves requests on an opened connection until EOS or until the socket is lost. */
  const serve = ({ conn, read, scope }: Opened): Effect.Effect<Outcome> =>
    Effect.gen(function*() {
      current = conn
      Deferred.doneUnsafe(ready, Effect.succeed(conn))
      yield* Effect.forEach(subscriptions, (subscription) => subscription.connection === conn ? Effect.void : start(subscription, conn), {
        discard: true
      })
      const reading = Effect.gen(function*() {
        while (true) {
          for (const text of yield* read) {
            const outcome = yield* handle(conn, text)
            if (outcome !== undefined) return outcome
          }
        }
      }).pipe(
        Effect.catch((error): Effect.Effect<Outcome> =>
          Effect.succeed({
            _tag: "Lost",
            error: new TransportError({ description: `The Zendesk Chat socket was lost: ${error.message}`, cause: error })
          })
        )
      )
      const pinging = Effect.gen(function*() {
        while (true) {
          yield* Effect.sleep(pingInterval)
          if (!conn.heard) {
            return { _tag: "Lost", error: new TransportError({ description: "The Zendesk Chat socket did not answer the keep-alive ping" }) } as const
          }
          conn.heard = false
          const sent = yield* Effect.result(send(conn, { sig: "PING", payload: yield* Clock.currentTimeMillis }))
          if (sent._tag === "Failure") return { _tag: "Lost", error: sent.failure } as const
        }
      })
      const outcome = yield* Effect.raceFirst(reading, pinging)
      lose(
        conn,
        outcome._tag === "Lost"
          ? outcome.error
          : new TransportError({ description: `The Zendesk Chat session ended (EOS: ${outcome.reason})` })
      )
      return outcome
    }).pipe(
      // Also when interrupted (the layer is closing): nothing may wait on this connection any more.
      Effect.ensuring(Effect.suspend(() => {
        lose(conn, new TransportError({ description: "The Zendesk Chat session was closed" }))
        return Scope.close(scope, Exit.void)
      }))
    )

  const fatal = (description: string, cause?: unknown) => new TransportError({ description, fatal: true, cause })

  /**
   * Opens the next connection after `outcome`: the same URL after a plain socket loss, else a new
   * session. Consecutive failures back off exponentially; `times` of them give up.
   */
  const reconnect = (outcome: Outcome, previous: SessionInfo, failures: number) =>
    Effect.gen(function*() {
      let attempt = 0
      while (true) {
        if (failures >= times) {
          return yield* Effect.fail(fatal(`Zendesk Chat: gave up reconnecting after ${times} failed attempts`))
        }
        if (failures > 0) yield* Effect.sleep(Duration.millis(Math.min(cap, base * 2 ** (failures - 1))))
        failures++
        attempt++
        const reuse = outcome._tag === "Lost" && attempt === 1
        const opened = yield* Effect.result(
          (reuse ? open(previous) : Effect.flatMap(startSession, open)).pipe(
            Effect.tap(() =>
              reuse ? Effect.void : Effect.logInfo(`Zendesk Chat: started a new agent session after ${outcome._tag}`)
            )
          )
        )
        if (opened._tag === "Success") return { opened: opened.success, failures }
        const error = opened.failure
        // Only failures to reach Zendesk are worth another attempt; a refused token or account is not.
        const transient = error._tag === "RateLimited" ||
          (error._tag === "GraphQLClientError" && error.reason._tag === "TransportError" && error.reason.fatal !== true)
        if (!transient) return yield* Effect.fail(fatal(`Zendesk Chat: cannot start a new agent session: ${error.message}`, error))
        yield* Effect.logWarning(`Zendesk Chat: reconnect attempt ${failures} failed: ${error.message}`)
      }
    })

  const supervise = (first: Opened) =>
    Effect.gen(function*() {
      let opened = first
      let failures = 0
      while (true) {
        const startedAt = yield* Clock.currentTimeMillis
        const outcome = yield* serve(opened)
        if (outcome._tag === "EndOfService" && stopping) {
          return yield* Effect.fail(fatal("The Zendesk Chat session was stopped (stopAgentSession)"))
        }
        yield* Effect.logWarning(
          outcome._tag === "EndOfService"
            ? `Zendesk Chat: end of service (${outcome.reason})`
            : `Zendesk Chat: ${outcome.error.description}`
        )
        if ((yield* Clock.currentTimeMillis) - startedAt >= cap) failures = 0
        const next = yield* reconnect(outcome, opened.conn.info, failures)
        opened = next.opened
        failures = next.failures
      }
    }).pipe(Effect.catch(giveUp))

  const first = yield* Effect.flatMap(startSession, open)
  // Runs after the supervisor is interrupted (finalizers run in reverse order).
  yield* Effect.addFinalizer(() => giveUp(fatal("The Zendesk Chat session layer was closed")))
  yield* Effect.forkIn(supervise(first), layerScope)
  return GraphQLProtocol.GraphQLProtocol.of({ execute, subscribe })
})
