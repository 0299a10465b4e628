/**
 * The Conversations API transport: a `GraphQLProtocol` over one agent session.
 *
 * 1. `startAgentSession` is sent by HTTP POST with the access token from {@link Auth}; Zendesk
 *    answers with `websocket_url`, `session_id` and `client_id`. Starting may take `startTimeout`.
 * 2. The socket at `websocket_url` carries every other operation as a request frame
 *    `{ type: "request", id, payload: { query, variables, operationName } }`. Answers are matched by
 *    `id`, so any number of requests can be in flight; each waits at most `requestTimeout`.
 * 3. A subscription's answer carries a `subscription_id`; its pushes
 *    `{ sig: "DATA", subscription_id, payload }` go to that subscription's Stream, which holds at
 *    most `subscriptionBuffer` pushes its consumer has not taken (beyond that the Stream fails with
 *    {@link SubscriptionOverflow}). When the Stream ends or is interrupted,
 *    `{ type: "stop_subscription", payload: { subscription_id } }` is sent.
 * 4. A `PING` goes out every `pingInterval`; a socket that stays silent until the next ping is dead.
 * 5. On `{ sig: "EOS" }` a new agent session is started; when the socket is lost without EOS, the same
 *    URL is reopened first and the subscriptions of the lost socket are stopped there. Either way
 *    every live subscription is started again on the new socket and keeps feeding the same Stream,
 *    so consumers see no gap (the server does not resend pushes from before the reconnect).
 *    Requests written to the lost socket fail with a `TransportError`: a retryable one for queries,
 *    a non-retryable one for mutations (they may have been applied). Requests not written yet wait
 *    for the new socket. Reconnecting backs off by the `reconnect` schedule and gives up after
 *    `reconnect.times` attempts without a connection that lasted `reconnect.stableAfter`; then
 *    everything fails with a fatal `TransportError`.
 *
 * An error frame whose payload is `{ body }` (a protocol error, e.g. the GraphQL server is down)
 * fails its request or subscription with a `TransportError` carrying `body` and the status.
 *
 * The layer connects when it is built, and fails if the first session cannot be started.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Data, Deferred, Duration, Effect, Exit, Layer, Pull, Queue, Redacted, Schedule, Scope, Stream } from "effect"
import { GraphQLClient, GraphQLClientError, GraphQLProtocol } from "effect/graphql"
import type { HttpClient } from "effect/http"
import { Socket } from "effect/socket"
import { type Auth as CoreAuth, Retry as CoreRetry } from "@vendor-sdk/core"
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
   * How long starting an agent session may take: the `startAgentSession` POST, and renewing the
   * token once after `UNAUTHORIZED`. Defaults to 30 seconds.
   */
  readonly startTimeout?: Duration.Input | undefined
  /**
   * How long a request frame waits for its answer once written (a subscription: for its
   * acknowledgement). Defaults to 60 seconds; `Duration.infinity` waits for ever.
   */
  readonly requestTimeout?: Duration.Input | undefined
  /**
   * Pushes a subscription holds for a consumer that has not taken them yet. One more fails the
   * Stream with {@link SubscriptionOverflow} (and stops the subscription): pushes are never dropped
   * silently. Defaults to 1024.
   */
  readonly subscriptionBuffer?: number | undefined
  /**
   * Bytes of frames the socket may hold unread, passed to `Socket.makeWebSocket`. A pausable
   * WebSocket (`ws`, `NodeWS.layerWebSocketConstructor`) stops reading there; the global WebSocket
   * cannot pause, so the socket fails and is reopened. Defaults to 1 MiB.
   */
  readonly highWaterMark?: number | undefined
  /**
   * Reconnecting: the first delay (1 second), doubling up to the longest (30 seconds), spread over
   * 80–120% (never above the longest) unless `jitter` is false, and the attempts in a row before giving up (10). A connection
   * that lasted `stableAfter` (30 seconds) starts the count again.
   */
  readonly reconnect?: {
    readonly base?: Duration.Input | undefined
    readonly cap?: Duration.Input | undefined
    readonly times?: number | undefined
    readonly jitter?: boolean | undefined
    readonly stableAfter?: Duration.Input | undefined
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

/**
 * A subscription's consumer fell `capacity` pushes behind. Its Stream fails with a fatal
 * `TransportError` (so nothing retries it) whose `cause` is this error; see
 * {@link isSubscriptionOverflow}.
 */
export class SubscriptionOverflow extends Data.TaggedError("SubscriptionOverflow")<{
  readonly operation: string
  readonly capacity: number
}> {
  override get message() {
    return `Zendesk Chat: the ${this.operation} subscription's consumer fell ${this.capacity} pushes behind; ` +
      "the subscription was stopped (raise `subscriptionBuffer`, or consume faster)"
  }
}

/** Whether a subscription's Stream failed because its consumer fell behind. */
export const isSubscriptionOverflow = (error: unknown): boolean => {
  const reason = GraphQLClientError.isGraphQLClientError(error) ? error.reason : error
  return reason instanceof TransportError && reason.cause instanceof SubscriptionOverflow
}

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  readonly url: string
  readonly pingInterval: Duration.Duration
  readonly openTimeout: Duration.Duration
  readonly startTimeout: Duration.Duration
  /** Undefined: wait for ever. */
  readonly requestTimeout: Duration.Duration | undefined
  readonly subscriptionBuffer: number
  readonly highWaterMark: number
  /** The delays between reconnect attempts; done when the attempts are used up. */
  readonly reconnect: Schedule.Schedule<unknown>
  readonly reconnectTimes: number
  readonly stableAfter: number
}

const settingsOf = (options: Options): Settings => {
  const duration = (input: Duration.Input | undefined, fallback: Duration.Input) => Duration.fromInputUnsafe(input ?? fallback)
  const requestTimeout = duration(options.requestTimeout, "60 seconds")
  const times = options.reconnect?.times ?? 10
  return {
    url: options.url ?? vendor.endpoints.http,
    pingInterval: duration(options.pingInterval, "20 seconds"),
    openTimeout: duration(options.openTimeout, "10 seconds"),
    startTimeout: duration(options.startTimeout, "30 seconds"),
    requestTimeout: Duration.isFinite(requestTimeout) ? requestTimeout : undefined,
    subscriptionBuffer: Math.max(1, options.subscriptionBuffer ?? 1024),
    highWaterMark: options.highWaterMark ?? 1024 * 1024,
    // The first attempt after an outage goes at once; the schedule spaces the other `times - 1`.
    reconnect: CoreRetry.backoff({
      base: duration(options.reconnect?.base, "1 second"),
      cap: duration(options.reconnect?.cap, "30 seconds"),
      jitter: options.reconnect?.jitter !== false
    }).pipe(Schedule.upTo({ times: Math.max(0, times - 1) })),
    reconnectTimes: times,
    stableAfter: Duration.toMillis(duration(options.reconnect?.stableAfter, "30 seconds"))
  }
}

// ---------------------------------------------------------------------------------------------
// Frames

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

const answerOf = (frame: Frame): Exit.Exit<Answer, TransportError> => {
  const error = protocolError(frame)
  return error === undefined ? Exit.succeed({ body: frame.payload, status: statusOf(frame) }) : Exit.fail(error)
}

/** An answer with `data` and without `errors`. */
const succeeded = (frame: Frame): boolean => {
  const payload = frame.payload
  return isObject(payload) && isObject(payload.data) && !(Array.isArray(payload.errors) && payload.errors.length > 0)
}

const requestPayload = (request: GraphQLProtocol.GraphQLRequest) => ({
  query: request.query,
  variables: request.variables,
  operationName: request.operationName
})

const fatal = (description: string, cause?: unknown) => new TransportError({ description, fatal: true, cause })

/**
 * A request that was written and then lost its answer (socket lost, or no answer in time). A query
 * can be sent again; a mutation may have been applied, so sending it again could apply it twice.
 */
const unanswered = (request: GraphQLProtocol.GraphQLRequest, description: string, cause?: unknown) =>
  request.kind === "mutation"
    ? fatal(`${description}; ${request.operationName} may have been applied, so it is not retried`, cause)
    : new TransportError({ description, cause })

// ---------------------------------------------------------------------------------------------
// Session start

/**
 * Whether a failed session start is worth another attempt: Zendesk or the token endpoint
 * unreachable, overloaded or slow. A refused token or account is not.
 */
const isTemporary = (error: StartError): boolean => {
  switch (error._tag) {
    case "RateLimited":
      return true
    case "GraphQLClientError":
      return error.isRetryable
    case "CredentialsUnavailable":
      return error.status === undefined || error.status === 429 || (error.status >= 500 && error.status < 600)
    default:
      return false
  }
}

/** Posts `startAgentSession` with the token from `Auth`; renews the token once after `UNAUTHORIZED`. */
const makeStarter = (url: string, timeout: Duration.Duration) =>
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
    }).pipe(
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new GraphQLClientError.GraphQLClientError({
              operation: "startAgentSession",
              reason: new TransportError({ description: `startAgentSession did not answer within ${Duration.format(timeout)}` })
            })
          )
      })
    )
  })

// ---------------------------------------------------------------------------------------------
// Connections

/** A request waiting for its answer on a connection. */
interface Pending {
  readonly operation: string
  /** A subscription start counts while early pushes are held (see `Connection.early`). */
  readonly isStart: boolean
  readonly answer: (frame: Frame) => Effect.Effect<void>
  /** The socket was lost before the answer came. */
  readonly lost: (error: TransportError) => void
}

/** One socket of the session, from open to loss. */
interface Connection {
  readonly info: SessionInfo
  readonly writer: Socket.Writer
  readonly read: Effect.Effect<ReadonlyArray<string>, Socket.SocketError>
  /** The socket's scope, a child of the layer's. */
  readonly scope: Scope.Closeable
  readonly pending: Map<string, Pending>
  /** Pushes for subscription ids not known yet, held while a subscription start is unanswered. */
  readonly early: Map<string, Array<Frame>>
  /** Completed when a write failed: the socket is as good as lost. */
  readonly broken: Deferred.Deferred<TransportError>
  /** Whether any frame arrived since the last ping. */
  heard: boolean
  closed: boolean
}

const hasPendingStart = (conn: Connection) => {
  for (const pending of conn.pending.values()) if (pending.isStart) return true
  return false
}

type Outcome =
  | { readonly _tag: "EndOfService"; readonly reason: string; readonly stopped: boolean }
  | { readonly _tag: "Lost"; readonly error: TransportError }

/**
 * The session's current connection as callers see it: there is one, or one is coming (`ready`), or
 * the session is over (`failure`).
 */
const makeConnectionState = () => {
  let current: Connection | undefined
  let ready = Deferred.makeUnsafe<Connection, TransportError>()
  let failure: TransportError | undefined
  return {
    /** The open connection; waits while reconnecting; fails once the session is over. */
    connection: Effect.suspend((): Effect.Effect<Connection, TransportError> =>
      failure !== undefined ? Effect.fail(failure) : current !== undefined ? Effect.succeed(current) : Deferred.await(ready)
    ),
    install(conn: Connection) {
      current = conn
      Deferred.doneUnsafe(ready, Exit.succeed(conn))
    },
    detach(conn: Connection) {
      if (current !== conn) return
      current = undefined
      if (failure === undefined) ready = Deferred.makeUnsafe()
    },
    /** Ends the session for good; the first error wins. */
    fail(error: TransportError): boolean {
      if (failure !== undefined) return false
      failure = error
      current = undefined
      Deferred.doneUnsafe(ready, Exit.fail(error))
      return true
    },
    /** Set once `stopAgentSession` was answered without errors: the next EOS ends the session. */
    stopped: false
  }
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

/** A live subscription; it outlives connections. */
interface Subscription {
  readonly request: GraphQLProtocol.GraphQLRequest
  readonly queue: Queue.Queue<Answer, TransportError | Cause.Done>
  /** The connection it was last started on, and the id the server gave it there. */
  connection: Connection | undefined
  serverId: string | undefined
  /** Stopped, failed or ended: it is not started again, and an acknowledgement stops it. */
  released: boolean
}

/**
 * The live subscriptions, the server ids their pushes are routed by, and the ids left on a lost
 * socket (stopped once the same session's URL is open again).
 */
const makeRegistry = () => {
  const live = new Set<Subscription>()
  const routes = new Map<string, Subscription>()
  let orphans: { readonly url: string; readonly ids: Set<string> } | undefined
  const orphan = (url: string, serverId: string) => {
    if (orphans?.url !== url) orphans = { url, ids: new Set() }
    orphans.ids.add(serverId)
  }
  return {
    live,
    routes,
    /** Removes a subscription; returns where it still runs on the server, if anywhere. */
    remove(subscription: Subscription): { readonly conn: Connection; readonly serverId: string } | undefined {
      subscription.released = true
      live.delete(subscription)
      const { connection: conn, serverId } = subscription
      subscription.serverId = undefined
      if (serverId === undefined || conn === undefined) return undefined
      routes.delete(serverId)
      return { conn, serverId }
    },
    /** The socket was lost: its subscriptions have no server id any more, and those ids are orphans. */
    detach(conn: Connection) {
      for (const subscription of live) {
        if (subscription.connection !== conn || subscription.serverId === undefined) continue
        routes.delete(subscription.serverId)
        orphan(conn.info.websocketUrl, subscription.serverId)
        subscription.serverId = undefined
      }
    },
    /** A subscription that may still run on the server of `url`, though nothing reads it. */
    orphan,
    /** The server answered a stop: the subscription no longer runs there. */
    confirmStopped(serverId: string) {
      orphans?.ids.delete(serverId)
    },
    /** The orphans to stop on a connection to `url`; any others belong to an ended session. */
    orphansOf(url: string): ReadonlyArray<string> {
      if (orphans?.url !== url) orphans = undefined
      return orphans === undefined ? [] : [...orphans.ids]
    },
    failAll(error: TransportError) {
      for (const subscription of live) {
        subscription.released = true
        Queue.failCauseUnsafe(subscription.queue, Cause.fail(error))
      }
      live.clear()
      routes.clear()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The layer

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
  const settings = settingsOf(options)
  const startSession = yield* makeStarter(settings.url, settings.startTimeout)
  const layerScope = yield* Effect.scope
  // Every socket lives in a child of this scope: closing the layer (or giving up) closes them all.
  const socketsScope = yield* Scope.fork(layerScope)
  const state = makeConnectionState()
  const registry = makeRegistry()
  let nextId = 0

  // --- writing ---------------------------------------------------------------------------------

  /**
   * Writes a frame; `false` when it certainly was not written: the socket is closed, or the write
   * failed (then the socket counts as lost). `notWritten` runs before the socket is given up.
   */
  const write = (conn: Connection, frame: object, notWritten: () => void = () => {}): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      // A closed connection's writer would wait for a socket that never reopens.
      if (conn.closed) return Effect.sync(() => (notWritten(), false))
      return conn.writer.write(JSON.stringify(frame)).pipe(
        Effect.as(true),
        Effect.catch((cause) =>
          Effect.sync(() => {
            notWritten()
            const error = new TransportError({ description: `Cannot write to the Zendesk Chat socket: ${cause.message}`, cause })
            lose(conn, error)
            Deferred.doneUnsafe(conn.broken, Exit.succeed(error))
            return false
          })
        )
      )
    })

  /** Sends a request frame under a new id with `pending` waiting for its answer; `undefined` when not written. */
  const request = (conn: Connection, frame: (id: string) => object, pending: Pending): Effect.Effect<string | undefined> =>
    Effect.suspend(() => {
      const id = String(++nextId)
      conn.pending.set(id, pending)
      return Effect.map(write(conn, frame(id), () => conn.pending.delete(id)), (written) => written ? id : undefined)
    })

  const withRequestTimeout = <A>(
    effect: Effect.Effect<A, TransportError>,
    onTimeout: (description: string) => Effect.Effect<A, TransportError>
  ) => {
    const timeout = settings.requestTimeout
    return timeout === undefined ? effect : Effect.timeoutOrElse(effect, {
      duration: timeout,
      orElse: () => onTimeout(`No answer from Zendesk Chat within ${Duration.format(timeout)}`)
    })
  }

  // --- queries and mutations -------------------------------------------------------------------

  const execute = (graphql: GraphQLProtocol.GraphQLRequest): Effect.Effect<Answer, TransportError> =>
    Effect.gen(function*() {
      const frame = (id: string) => ({ type: "request", id, payload: requestPayload(graphql) })
      while (true) {
        const conn = yield* state.connection
        const answer = Deferred.makeUnsafe<Answer, TransportError>()
        const id = yield* request(conn, frame, {
          operation: graphql.operationName,
          isStart: false,
          answer: (frame) =>
            Effect.sync(() => {
              // Decided here, in frame order, so an EOS that follows the answer finds it set.
              if (graphql.operationName === "stopAgentSession" && succeeded(frame)) state.stopped = true
              Deferred.doneUnsafe(answer, answerOf(frame))
            }),
          lost: (error) => Deferred.doneUnsafe(answer, Exit.fail(unanswered(graphql, error.description, error)))
        })
        // Never written: it waits for the next socket.
        if (id === undefined) continue
        const forget = Effect.sync(() => conn.pending.delete(id))
        return yield* withRequestTimeout(
          Deferred.await(answer),
          (description) => Effect.andThen(forget, Effect.fail(unanswered(graphql, `${description} to ${graphql.operationName}`)))
        ).pipe(Effect.onInterrupt(() => forget))
      }
    })

  // --- subscriptions ---------------------------------------------------------------------------

  const stop = (conn: Connection, serverId: string): Effect.Effect<void> =>
    Effect.gen(function*() {
      const orphan = () => registry.orphan(conn.info.websocketUrl, serverId)
      const id = yield* request(conn, (id) => ({ type: "stop_subscription", id, payload: { subscription_id: serverId } }), {
        operation: "stopSubscription",
        isStart: false,
        // Any answer will do: the server no longer runs it, or never knew it.
        answer: () => Effect.sync(() => registry.confirmStopped(serverId)),
        lost: orphan
      })
      if (id === undefined) orphan()
    })

  /** Ends a subscription's Stream with `error` (after what it holds) and stops it on the server. */
  const fail = (subscription: Subscription, error: TransportError) =>
    Effect.suspend(() => {
      Queue.failCauseUnsafe(subscription.queue, Cause.fail(error))
      return release(subscription)
    })

  const release = (subscription: Subscription) =>
    Effect.suspend(() => {
      if (subscription.released) return Effect.void
      const running = registry.remove(subscription)
      return running === undefined ? Effect.void : stop(running.conn, running.serverId)
    })

  /** Hands a push to its subscription's Stream; a consumer too far behind fails it. */
  const deliver = (subscription: Subscription, frame: Frame): Effect.Effect<void> => {
    const error = protocolError(frame)
    if (error !== undefined) return fail(subscription, error)
    if (Queue.offerUnsafe(subscription.queue, { body: frame.payload, status: statusOf(frame) })) return Effect.void
    const overflow = new SubscriptionOverflow({ operation: subscription.request.operationName, capacity: settings.subscriptionBuffer })
    return Effect.andThen(Effect.logWarning(overflow.message), fail(subscription, fatal(overflow.message, overflow)))
  }

  /** Routes a DATA push by its `subscription_id`. */
  const route = (conn: Connection, frame: Frame): Effect.Effect<void> => {
    const serverId = frame.subscription_id
    const subscription = typeof serverId === "string" ? registry.routes.get(serverId) : undefined
    if (subscription !== undefined) return deliver(subscription, frame)
    if (typeof serverId === "string" && hasPendingStart(conn)) {
      // It may belong to a start whose acknowledgement has not arrived yet: hold it until then.
      const held = conn.early.get(serverId) ?? []
      if (held.length < settings.subscriptionBuffer) {
        held.push(frame)
        conn.early.set(serverId, held)
        return Effect.logDebug(`Zendesk Chat: holding a push for subscription ${serverId} until a start is acknowledged`)
      }
    }
    return Effect.logDebug(`Zendesk Chat: dropping a push for subscription ${String(serverId)}, which is not live (stopped, or from an older socket)`)
  }

  /** Drops held pushes once no start could claim them any more. */
  const dropEarly = (conn: Connection) =>
    Effect.suspend(() => {
      if (conn.early.size === 0 || hasPendingStart(conn)) return Effect.void
      const ids = [...conn.early.keys()]
      conn.early.clear()
      return Effect.logDebug(`Zendesk Chat: dropping pushes for subscriptions ${ids.join(", ")}, which no start claimed`)
    })

  /** The answer to a subscription start on `conn`. */
  const started = (subscription: Subscription, conn: Connection, frame: Frame): Effect.Effect<void> =>
    Effect.suspend(() => {
      const error = protocolError(frame)
      if (error !== undefined) return fail(subscription, error)
      const payload = frame.payload
      const data = isObject(payload) ? payload.data : undefined
      const serverId = isObject(data) ? data.subscription_id : undefined
      if (typeof serverId !== "string") {
        // The start was refused: hand the errors to the client, which fails the Stream.
        registry.remove(subscription)
        if (Queue.offerUnsafe(subscription.queue, { body: payload, status: statusOf(frame) })) {
          Queue.endUnsafe(subscription.queue)
          return Effect.void
        }
        const refused = JSON.stringify(payload)?.slice(0, 500) ?? "no payload"
        Queue.failCauseUnsafe(subscription.queue, Cause.fail(fatal(`Zendesk Chat refused to start ${subscription.request.operationName} again: ${refused}`)))
        return Effect.void
      }
      if (subscription.released) return stop(conn, serverId)
      subscription.serverId = serverId
      registry.routes.set(serverId, subscription)
      const held = conn.early.get(serverId) ?? []
      conn.early.delete(serverId)
      return Effect.forEach(held, (frame) => subscription.released ? Effect.void : deliver(subscription, frame), { discard: true })
    }).pipe(Effect.andThen(dropEarly(conn)))

  /** Starts a subscription on a connection; its pushes are routed once the server acknowledges it. */
  const start = (subscription: Subscription, conn: Connection): Effect.Effect<void> =>
    Effect.gen(function*() {
      subscription.connection = conn
      subscription.serverId = undefined
      const answered = Deferred.makeUnsafe<void>()
      const id = yield* request(conn, (id) => ({ type: "request", id, payload: requestPayload(subscription.request) }), {
        operation: subscription.request.operationName,
        isStart: true,
        answer: (frame) => Effect.andThen(Deferred.done(answered, Exit.void), started(subscription, conn, frame)),
        // It stays registered and is started again on the next connection.
        lost: () => Deferred.doneUnsafe(answered, Exit.void)
      })
      if (id === undefined || settings.requestTimeout === undefined) return
      // No acknowledgement in time: fail the Stream; a late one stops the subscription.
      const timedOut = (description: string) =>
        Effect.suspend(() => {
          if (conn.pending.get(id)?.isStart !== true) return Effect.void
          conn.pending.set(id, {
            operation: subscription.request.operationName,
            isStart: false,
            answer: (frame) => started(subscription, conn, frame),
            lost: () => {}
          })
          const error = new TransportError({ description: `${description} to the ${subscription.request.operationName} subscription` })
          return Effect.andThen(fail(subscription, error), dropEarly(conn))
        })
      yield* withRequestTimeout(Deferred.await(answered), timedOut).pipe(Effect.forkIn(conn.scope))
    })

  const subscribe = (graphql: GraphQLProtocol.GraphQLRequest): Stream.Stream<Answer, TransportError> =>
    Stream.unwrap(Effect.gen(function*() {
      const subscription: Subscription = {
        request: graphql,
        queue: yield* Queue.bounded<Answer, TransportError | Cause.Done>(settings.subscriptionBuffer),
        connection: undefined,
        serverId: undefined,
        released: false
      }
      yield* Effect.acquireRelease(Effect.sync(() => registry.live.add(subscription)), () => release(subscription))
      const conn = yield* state.connection
      // A reconnect may have started it on this connection already.
      if (subscription.connection !== conn) yield* start(subscription, conn)
      return Stream.fromQueue(subscription.queue)
    }))

  // --- reading ---------------------------------------------------------------------------------

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
      // An EOS while stopAgentSession is unanswered is its doing too.
      const stopping = [...conn.pending.values()].some((pending) => pending.operation === "stopAgentSession")
      return Effect.succeed({
        _tag: "EndOfService",
        reason: typeof frame.reason === "string" ? frame.reason : "no reason given",
        stopped: state.stopped || stopping
      })
    }
    if (frame.sig === "DATA") return Effect.as(route(conn, frame), undefined)
    // Any other signal is the answer to a PING.
    if (frame.sig !== undefined || frame.id === undefined) return Effect.succeed(undefined)
    const id = String(frame.id)
    const pending = conn.pending.get(id)
    if (pending === undefined) return Effect.succeed(undefined)
    conn.pending.delete(id)
    return Effect.as(pending.answer(frame), undefined)
  }

  /** The connection is over: callers wait for the next one, and what was in flight fails. */
  const lose = (conn: Connection, error: TransportError) => {
    if (conn.closed) return
    conn.closed = true
    state.detach(conn)
    const pending = [...conn.pending.values()]
    conn.pending.clear()
    conn.early.clear()
    for (const entry of pending) entry.lost(error)
    registry.detach(conn)
  }

  // --- connections -----------------------------------------------------------------------------

  /** Opens the session's socket in a child of the layer's scope; the connection is not in use yet. */
  const open = (info: SessionInfo) =>
    Effect.gen(function*() {
      const scope = yield* Scope.fork(socketsScope)
      return yield* Effect.gen(function*() {
        const socket = yield* Socket.makeWebSocket(info.websocketUrl, {
          openTimeout: settings.openTimeout,
          highWaterMark: settings.highWaterMark
        })
        const read = yield* Socket.readerString(socket)
        const conn: Connection = {
          info,
          writer: yield* socket.writer,
          read,
          scope,
          pending: new Map(),
          early: new Map(),
          broken: Deferred.makeUnsafe(),
          heard: true,
          closed: false
        }
        return conn
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

  const reading = (conn: Connection): Effect.Effect<Outcome> =>
    Effect.gen(function*() {
      while (true) {
        for (const text of yield* conn.read) {
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

  const pinging = (conn: Connection): Effect.Effect<Outcome> =>
    Effect.gen(function*() {
      while (true) {
        yield* Effect.sleep(settings.pingInterval)
        if (!conn.heard) {
          return { _tag: "Lost", error: new TransportError({ description: "The Zendesk Chat socket did not answer the keep-alive ping" }) } as const
        }
        conn.heard = false
        yield* write(conn, { sig: "PING", payload: yield* Clock.currentTimeMillis })
      }
    })

  /** Serves requests on an opened connection until EOS or until the socket is lost. */
  const serve = (conn: Connection): Effect.Effect<Outcome> =>
    Effect.gen(function*() {
      state.install(conn)
      // Subscriptions left on a lost socket of this same session may still run on the server (each
      // holding a MAX_SUB slot): stop them first. An id the server no longer knows gets an answer
      // all the same, or none; either is fine.
      yield* Effect.forEach(registry.orphansOf(conn.info.websocketUrl), (serverId) => stop(conn, serverId), { discard: true })
      yield* Effect.forEach(registry.live, (subscription) => subscription.connection === conn ? Effect.void : start(subscription, conn), {
        discard: true
      })
      // raceFirst, not raceAll: a defect in one of them must end the race too.
      const outcome = yield* Effect.raceFirst(
        reading(conn),
        Effect.raceFirst(pinging(conn), Effect.map(Deferred.await(conn.broken), (error): Outcome => ({ _tag: "Lost", error })))
      )
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
        return Scope.close(conn.scope, Exit.void)
      }))
    )

  // --- supervising -----------------------------------------------------------------------------

  /**
   * Serves connection after connection. After a plain socket loss the same URL is reopened first,
   * else a new session is started. The attempts since the last connection that lasted
   * `stableAfter` follow the `reconnect` schedule; when it is done, the session is given up.
   */
  const supervise = (first: Connection) =>
    Effect.gen(function*() {
      let conn = first
      /** The delays of the current run of attempts; undefined: the next attempt goes at once. */
      let delays: ((input: unknown) => Pull.Pull<unknown, never, unknown>) | undefined
      let attempts = 0
      const nextAttempt = Effect.gen(function*() {
        if (attempts >= settings.reconnectTimes) return yield* Effect.fail(giveUpAfter(attempts))
        if (delays === undefined) delays = yield* Schedule.toStepWithSleep(settings.reconnect)
        else yield* delays(undefined).pipe(Pull.catchDone(() => Effect.fail(giveUpAfter(attempts))))
        attempts++
      })
      while (true) {
        const startedAt = yield* Clock.currentTimeMillis
        const outcome = yield* serve(conn)
        if (outcome._tag === "EndOfService" && outcome.stopped) {
          return yield* Effect.fail(fatal("The Zendesk Chat session was stopped (stopAgentSession)"))
        }
        yield* Effect.logWarning(
          outcome._tag === "EndOfService"
            ? `Zendesk Chat: end of service (${outcome.reason})`
            : `Zendesk Chat: ${outcome.error.description}`
        )
        if ((yield* Clock.currentTimeMillis) - startedAt >= settings.stableAfter) {
          delays = undefined
          attempts = 0
        }
        let reuse = outcome._tag === "Lost"
        while (true) {
          yield* nextAttempt
          const opened = yield* Effect.result(
            reuse
              ? open(conn.info)
              : startSession.pipe(
                Effect.flatMap(open),
                Effect.tap(() => Effect.logInfo(`Zendesk Chat: started a new agent session after ${outcome._tag}`))
              )
          )
          reuse = false
          if (opened._tag === "Success") {
            conn = opened.success
            break
          }
          const error = opened.failure
          if (!isTemporary(error)) {
            return yield* Effect.fail(fatal(`Zendesk Chat: cannot start a new agent session: ${error.message}`, error))
          }
          yield* Effect.logWarning(`Zendesk Chat: reconnect attempt ${attempts} failed: ${error.message}`)
        }
      }
    })

  const giveUpAfter = (attempts: number) => fatal(`Zendesk Chat: gave up reconnecting after ${attempts} failed attempts`)

  /** Ends the session for good: every call and Stream fails with `error`. */
  const giveUp = (error: TransportError) =>
    Effect.sync(() => {
      if (state.fail(error)) registry.failAll(error)
    })

  /** Why the supervisor stopped: its typed failure, else (a defect, an interruption) a fatal error saying so. */
  const reasonOf = (exit: Exit.Exit<unknown, TransportError>): TransportError => {
    if (Exit.isSuccess(exit)) return fatal("The Zendesk Chat session supervisor stopped")
    const failure = exit.cause.reasons.find(Cause.isFailReason)
    return failure !== undefined
      ? failure.error
      : fatal(`The Zendesk Chat session supervisor stopped: ${Cause.pretty(exit.cause)}`, Cause.squash(exit.cause))
  }

  const first = yield* Effect.flatMap(startSession, open)
  yield* supervise(first).pipe(
    // Whatever ends the supervisor ends the session: nothing may wait for a connection that never comes.
    Effect.onExit((exit) => Effect.andThen(giveUp(reasonOf(exit)), Scope.close(socketsScope, Exit.void))),
    Effect.forkIn(layerScope)
  )
  // Registered last, so it runs first when the layer closes: calls and Streams learn why.
  yield* Effect.addFinalizer(() => giveUp(fatal("The Zendesk Chat session layer was closed")))
  return GraphQLProtocol.GraphQLProtocol.of({ execute, subscribe })
})
