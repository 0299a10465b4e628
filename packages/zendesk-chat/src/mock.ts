/**
 * A Zendesk Chat Conversations API you can run on loopback: the HTTP endpoint that starts agent
 * sessions (and answers introspection), and the session WebSockets with the frame protocol.
 *
 * Documents are validated and executed with graphql-js against the package's schema, so what the
 * client sends must be valid for the SDL, and results are real GraphQL results. Channels, messages,
 * departments, agents and the agent's status live in memory. Lists page Relay-style (`first`,
 * `after`, `pageInfo`). `startAgentSession` accepts only the configured access tokens; a new session
 * for a token ends the older ones with EOS, as a concurrent login does at Zendesk.
 *
 * Tests drive it with fault hooks: {@link ZendeskChatMock.endOfService},
 * {@link ZendeskChatMock.dropConnections}, {@link ZendeskChatMock.failNext} (an error name, a
 * protocol error, or no answer at all), {@link ZendeskChatMock.mute} and
 * {@link ZendeskChatMock.holdAcks}.
 *
 * ```ts
 * const mock = yield* ZendeskChatMock.make()
 * ZendeskChat.layer({ url: mock.graphqlUrl }) // plus ZendeskChat.Auth.accessToken(ZendeskChatMock.demoToken)
 * ```
 *
 * @since 0.1.0
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Clock, Deferred, Effect, type Scope } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { Socket } from "effect/socket"
import {
  buildSchema,
  type DocumentNode,
  execute,
  type ExecutionResult,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate
} from "graphql"
import * as Http from "node:http"
import { sdl } from "./generated/sdl.ts"

/** The access token the mock accepts by default. */
export const demoToken = "demo-token"

/** A department as the mock keeps it. */
export interface Department {
  readonly id: string
  readonly name: string
  readonly status: "ONLINE" | "AWAY" | "OFFLINE"
}

/** An agent as the mock keeps it. */
export interface Agent {
  readonly id: string
  readonly name: string
  readonly display_name: string
  status: string
}

/** A chat message; `kind` says which mutation sent it (`visitor` for visitors' messages). */
export interface Message {
  readonly id: string
  readonly channelId: string
  readonly content: string
  readonly from: { readonly __typename: "Visitor" | "Agent"; readonly id: string; readonly display_name: string }
  readonly kind: string
  /** The structured content (quick replies, buttons, panels, fallback) as sent. */
  readonly structured?: Readonly<Record<string, unknown>> | undefined
}

/** Options of the mock. */
export interface Options {
  readonly port?: number | undefined
  /** Access tokens `startAgentSession` and introspection accept. Defaults to {@link demoToken}. */
  readonly tokens?: ReadonlyArray<string> | undefined
  /** Items per page when a list query passes no `first`. Defaults to 25. */
  readonly pageSize?: number | undefined
  /** Subscriptions one session may hold before `MAX_SUB`. Defaults to 5. */
  readonly maxSubscriptions?: number | undefined
  /**
   * Whether a socket's subscriptions outlive it (unconfirmed at Zendesk): when the socket is lost
   * without EOS, its subscriptions stay with the session, pushed nowhere but holding their MAX_SUB
   * slots, until `stop_subscription` (on any socket of the session) or the session's end. Defaults
   * to false: they end with the socket.
   */
  readonly subscriptionsOutliveSockets?: boolean | undefined
  readonly departments?: ReadonlyArray<Department> | undefined
  /** Other agents of the account (the session's own agent is added). */
  readonly agents?: ReadonlyArray<Omit<Agent, "status"> & { readonly status: string }> | undefined
}

/** A client frame as the mock received it. */
export interface ReceivedFrame {
  readonly sessionId: string
  /** Which socket of the mock it came on, counting from 1 in the order they opened. */
  readonly socket: number
  /** The frame as parsed JSON. */
  readonly frame: Readonly<Record<string, any>>
  /** The operation name of a request frame, from `operationName` or the document. */
  readonly operation?: string | undefined
  /** When it arrived, by the Clock of the mock's scope (virtual under `TestClock`). */
  readonly receivedAt: number
}

/** An error frame to answer instead of executing a request. */
export type Fault =
  | {
    /** The error name, e.g. `RATE_LIMITED`. */
    readonly error: string
    readonly message?: string | undefined
    /** The operation to fail; any request when absent. */
    readonly operation?: string | undefined
    /** How many matching requests fail. Defaults to 1. */
    readonly times?: number | undefined
    /** The `error_code` sent with it. Defaults to a status that fits the name. */
    readonly status?: number | undefined
  }
  | {
    /** A `protocolErrorPayload`: `{ body }`. */
    readonly protocolError: string
    readonly operation?: string | undefined
    readonly times?: number | undefined
    readonly status?: number | undefined
  }
  | {
    /** No answer at all: the HTTP request or the request frame is left waiting. Nothing runs. */
    readonly hang: true
    readonly operation?: string | undefined
    readonly times?: number | undefined
  }

/** An agent session the mock started. */
export interface SessionRecord {
  readonly id: string
  readonly clientId: string
  readonly token: string
  ended: boolean
}

/** A running mock. */
export interface ZendeskChatMock {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Where `startAgentSession` and introspection are posted: `<url>/graphql/request`. */
  readonly graphqlUrl: string
  /**
   * A visitor writes in a channel (created on first use); every `message` subscription gets it.
   * Returns the stored message.
   */
  readonly visitorSays: (options: {
    readonly text: string
    readonly channelId?: string | undefined
    readonly visitor?: { readonly id: string; readonly display_name: string } | undefined
  }) => Effect.Effect<Message>
  /** Sends `{ sig: "EOS" }` on every open socket, ends their sessions and closes the sockets. */
  readonly endOfService: (reason?: string) => Effect.Effect<void>
  /** Closes every socket without EOS, as a network failure would; the sessions stay valid. */
  readonly dropConnections: Effect.Effect<void>
  /** Answers the next matching requests (WebSocket or HTTP) with an error frame. */
  readonly failNext: (fault: Fault) => Effect.Effect<void>
  /** While muted, the sockets read frames but answer nothing, PINGs included. */
  readonly mute: (muted: boolean) => Effect.Effect<void>
  /**
   * While held, a subscription start is registered at once (so pushes flow) but its
   * acknowledgement waits; releasing sends the held acknowledgements. Pushes then overtake them.
   */
  readonly holdAcks: (held: boolean) => Effect.Effect<void>
  /**
   * Holds the answers to the next `count` request frames and sends them in reverse order once all
   * are in, so a client must match answers by id.
   */
  readonly reorder: (count: number) => Effect.Effect<void>
  /** Every POST to the HTTP endpoint: the operation name and when it arrived. */
  readonly httpRequests: Effect.Effect<ReadonlyArray<{ readonly operation: string | undefined; readonly receivedAt: number }>>
  /** Every frame clients sent, in arrival order. */
  readonly frames: Effect.Effect<ReadonlyArray<ReceivedFrame>>
  /** Every agent session started. */
  readonly sessions: Effect.Effect<ReadonlyArray<SessionRecord>>
  /** Every message, visitors' and the agent's, in order. */
  readonly messages: Effect.Effect<ReadonlyArray<Message>>
  readonly departments: Effect.Effect<ReadonlyArray<Department>>
  /** Channels moved by `transferToDepartment`, in order. */
  readonly transfers: Effect.Effect<ReadonlyArray<{ readonly channelId: string; readonly departmentId: string }>>
  /** The session agent's current status (`updateAgentStatus`). */
  readonly agentStatus: Effect.Effect<string>
  /** The number of sockets open now. */
  readonly openSockets: Effect.Effect<number>
  /**
   * The number of subscriptions started and not stopped: on the open sockets, plus (with
   * `subscriptionsOutliveSockets`) those left by lost sockets of sessions that did not end.
   */
  readonly liveSubscriptions: Effect.Effect<number>
}

const schema = buildSchema(sdl)

// The guide does not say which status goes with which name; these are the mock's choices.
const statuses: Readonly<Record<string, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  MAX_SUB: 429,
  GRAPHQL_SUB_START_ERROR: 500
}

const statusOf = (name: string) => statuses[name] ?? 400

/** A resolver error that reaches the client with a Zendesk error name. */
const zendeskError = (name: string, message: string) => Object.assign(new Error(message), { zendeskName: name })

const errorPayload = (name: string, message: string) => ({ errors: [{ name, message, uuid: crypto.randomUUID() }] })

/** graphql-js errors in the vendor's shape: `{ errors: [{ name, message, uuid }] }`. */
const vendorErrors = (errors: ReadonlyArray<GraphQLError>) => ({
  errors: errors.map((error) => ({
    name: (error.originalError as { zendeskName?: string } | undefined)?.zendeskName ?? "GRAPHQL_EXEC_ERROR",
    message: error.message,
    uuid: crypto.randomUUID()
  }))
})

const operationOf = (document: DocumentNode, name: unknown): OperationDefinitionNode | undefined => {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  return typeof name === "string" ? operations.find((o) => o.name?.value === name) : operations[0]
}

/** A Relay page of `items`: `first` items after the cursor `after` (an index). */
const relay = <A>(items: ReadonlyArray<A>, args: { first?: number | null; after?: string | null }, pageSize: number) => {
  const start = args.after === null || args.after === undefined ? 0 : Number(args.after) + 1
  const slice = items.slice(start, start + (args.first ?? pageSize))
  const endIndex = start + slice.length - 1
  return {
    edges: slice.map((node, i) => ({ node, cursor: String(start + i) })),
    pageInfo: {
      hasNextPage: endIndex < items.length - 1,
      hasPreviousPage: start > 0,
      startCursor: slice.length === 0 ? null : String(start),
      endCursor: slice.length === 0 ? null : String(endIndex)
    }
  }
}

interface LiveSubscription {
  readonly document: DocumentNode
  readonly variables: unknown
  readonly operationName?: string
}

interface Live {
  readonly ordinal: number
  readonly session: SessionRecord
  readonly writer: Socket.Writer
  /** subscription_id → the parsed subscription document and its variables. */
  readonly subscriptions: Map<string, LiveSubscription>
}

/** Starts the mock on loopback for the lifetime of the scope. */
export const make = (options: Options = {}): Effect.Effect<ZendeskChatMock, never, Scope.Scope> =>
  Effect.gen(function*() {
    const tokens = new Set(options.tokens ?? [demoToken])
    const pageSize = options.pageSize ?? 25
    const maxSubscriptions = options.maxSubscriptions ?? 5
    /** Subscriptions of lost sockets, by session id (with `subscriptionsOutliveSockets`). */
    const orphaned = new Map<string, Map<string, LiveSubscription>>()
    const orphansOf = (session: SessionRecord) => {
      const orphans = orphaned.get(session.id) ?? new Map<string, LiveSubscription>()
      orphaned.set(session.id, orphans)
      return orphans
    }
    const self: Agent = { id: "agent-api", name: "API Agent", display_name: "Chat Bot", status: "OFFLINE" }
    const agents: Array<Agent> = [
      self,
      ...(options.agents ?? [{ id: "agent-2", name: "Lin Park", display_name: "Lin", status: "ONLINE" }]).map((a) => ({ ...a }))
    ]
    const departments: Array<Department> = [
      ...(options.departments ?? [
        { id: "dept-sales", name: "Sales", status: "OFFLINE" },
        { id: "dept-support", name: "Support", status: "ONLINE" },
        { id: "dept-billing", name: "Billing", status: "AWAY" }
      ])
    ]
    const channels = new Map<string, { readonly visitor: { id: string; display_name: string } }>()
    const messages: Array<Message> = []
    const transfers: Array<{ readonly channelId: string; readonly departmentId: string }> = []
    const sessions: Array<SessionRecord> = []
    const live = new Set<Live>()
    const frames: Array<ReceivedFrame> = []
    const faults: Array<Fault & { remaining: number }> = []
    let muted = false
    /** Completed when the mock closes: HTTP requests left hanging are let go then. */
    const closing = Deferred.makeUnsafe<void>()
    let acks: Array<Effect.Effect<void>> | undefined
    let sockets = 0
    let held: { readonly count: number; readonly answers: Array<Effect.Effect<void>> } | undefined
    const httpRequests: Array<{ readonly operation: string | undefined; readonly receivedAt: number }> = []
    let counter = 0
    let url = ""

    const send = (socket: Live, frame: unknown) => Effect.ignore(socket.writer.write(JSON.stringify(frame)))

    const takeFault = (operation: string | undefined) => {
      const index = faults.findIndex((fault) => fault.operation === undefined || fault.operation === operation)
      if (index < 0) return undefined
      const fault = faults[index]!
      if (--fault.remaining <= 0) faults.splice(index, 1)
      return "hang" in fault
        ? { payload: {}, hang: true }
        : "error" in fault
        ? { payload: errorPayload(fault.error, fault.message ?? `injected ${fault.error}`), status: fault.status ?? statusOf(fault.error) }
        : { payload: { body: fault.protocolError }, status: fault.status ?? 503 }
    }

    /** A socket is gone: its subscriptions end with it, or stay with the session. */
    const forget = (socket: Live) => {
      live.delete(socket)
      if (options.subscriptionsOutliveSockets === true && !socket.session.ended) {
        for (const [id, subscription] of socket.subscriptions) orphansOf(socket.session).set(id, subscription)
      }
      socket.subscriptions.clear()
    }

    /** Pushes a message to every `message` subscription of every open socket. */
    const publish = (message: Message) =>
      Effect.forEach(live, (socket) =>
        Effect.forEach(socket.subscriptions, ([subscriptionId, subscription]) => {
          const result = execute({
            schema,
            document: subscription.document,
            rootValue: { message: { node: { id: message.id, content: message.content, channel: { id: message.channelId }, from: message.from } } },
            variableValues: subscription.variables as Record<string, unknown>,
            operationName: subscription.operationName
          }) as ExecutionResult
          return send(socket, { sig: "DATA", subscription_id: subscriptionId, payload: result })
        }, { discard: true }), { discard: true })

    const record = (message: Omit<Message, "id" | "from">, after: Array<Effect.Effect<void>>) => {
      if (!channels.has(message.channelId)) throw zendeskError("GRAPHQL_EXEC_ERROR", `Channel ${message.channelId} not found`)
      const stored: Message = {
        ...message,
        id: `msg-${++counter}`,
        from: { __typename: "Agent", id: self.id, display_name: self.display_name }
      }
      messages.push(stored)
      after.push(publish(stored))
      return { success: true }
    }

    /** The root resolvers of one request; what they push or close goes in `after`, run once the request is answered. */
    const root = (socket: Live | undefined, after: Array<Effect.Effect<void>>) => ({
      startAgentSession: ({ access_token }: { access_token: string }) => {
        if (!tokens.has(access_token)) throw zendeskError("UNAUTHORIZED", "The access token is invalid")
        // A new session for the same agent ends the others: Zendesk's concurrent login.
        for (const other of live) {
          if (other.session.token === access_token) after.push(endSocket(other, "concurrent login"))
        }
        const session: SessionRecord = { id: `s${++counter}`, clientId: String(9_000_000 + counter), token: access_token, ended: false }
        sessions.push(session)
        return {
          websocket_url: `${url.replace(/^http/, "ws")}/stream/0.1/graphql/${session.id}:${session.clientId}`,
          session_id: session.id,
          client_id: session.clientId
        }
      },
      stopAgentSession: () => {
        if (socket !== undefined) after.push(endSocket(socket, "stopAgentSession"))
        return { success: true }
      },
      updateAgentStatus: ({ status }: { status: string }) => {
        self.status = status
        return { node: self }
      },
      departments: (args: { first?: number | null; after?: string | null }) => relay(departments, args, pageSize),
      agents: (args: { first?: number | null; after?: string | null }) => relay(agents, args, pageSize),
      sendMessage: ({ channel_id, msg }: { channel_id: string; msg: string }) =>
        record({ channelId: channel_id, content: msg, kind: "text" }, after),
      sendQuickReplies: ({ channel_id, msg, ...structured }: { channel_id: string; msg: string }) =>
        record({ channelId: channel_id, content: msg, kind: "quick_replies", structured }, after),
      sendButtonTemplate: ({ channel_id, msg, ...structured }: { channel_id: string; msg: string }) =>
        record({ channelId: channel_id, content: msg, kind: "button_template", structured }, after),
      sendPanelTemplate: ({ channel_id, ...structured }: { channel_id: string }) =>
        record({ channelId: channel_id, content: "", kind: "panel_template", structured }, after),
      sendPanelTemplateCarousel: ({ channel_id, ...structured }: { channel_id: string }) =>
        record({ channelId: channel_id, content: "", kind: "panel_template_carousel", structured }, after),
      sendListTemplate: ({ channel_id, ...structured }: { channel_id: string }) =>
        record({ channelId: channel_id, content: "", kind: "list_template", structured }, after),
      sendCarousel: ({ channel_id, ...structured }: { channel_id: string }) =>
        record({ channelId: channel_id, content: "", kind: "carousel", structured }, after),
      sendFileMessage: ({ channel_id, file_url }: { channel_id: string; file_url: string }) =>
        record({ channelId: channel_id, content: file_url, kind: "file" }, after),
      setTypingIndicator: ({ channel_id }: { channel_id: string }) => ({ success: channels.has(channel_id) }),
      updateVisitorInfo: ({ display_name, visitor_id }: { visitor_id: string; display_name?: string | null }) => {
        const channel = [...channels.values()].find((c) => c.visitor.id === visitor_id)
        if (channel === undefined) throw zendeskError("GRAPHQL_EXEC_ERROR", `Visitor ${visitor_id} not found`)
        if (display_name !== null && display_name !== undefined) channel.visitor.display_name = display_name
        return { success: true }
      },
      transferToDepartment: ({ channel_id, department_id }: { channel_id: string; department_id: string }) => {
        if (!channels.has(channel_id)) throw zendeskError("GRAPHQL_EXEC_ERROR", `Channel ${channel_id} not found`)
        if (!departments.some((d) => d.id === department_id)) {
          throw zendeskError("GRAPHQL_EXEC_ERROR", `Department ${department_id} not found`)
        }
        transfers.push({ channelId: channel_id, departmentId: department_id })
        return { success: true }
      },
      inviteAgent: ({ agent_id, channel_id }: { agent_id: string; channel_id: string }) => ({
        success: channels.has(channel_id) && agents.some((a) => a.id === agent_id)
      })
    })

    /** Ends a socket's session: EOS, then the socket closes. */
    const endSocket = (socket: Live, reason: string) =>
      Effect.suspend(() => {
        socket.session.ended = true
        orphaned.delete(socket.session.id)
        live.delete(socket)
        return Effect.andThen(send(socket, { sig: "EOS", reason }), Effect.ignore(socket.writer.write(new Socket.CloseEvent(1000, "EOS"))))
      })

    /**
     * Runs a document; a subscription is registered instead and answered with its id. `after` is
     * what to do once the answer is sent.
     */
    const run = (
      socket: Live | undefined,
      body: { query?: unknown; variables?: unknown; operationName?: unknown }
    ): Effect.Effect<{
      readonly payload: Record<string, unknown>
      readonly status?: number
      readonly after?: Effect.Effect<void>
      /** Registers a subscription; run before the answer is sent while acknowledgements are held. */
      readonly register?: Effect.Effect<void>
      readonly hang?: boolean
    }> =>
      Effect.sync(() => {
        let document: DocumentNode
        try {
          document = parse(String(body.query ?? ""))
        } catch (error) {
          return { payload: errorPayload("GRAPHQL_EXEC_ERROR", (error as Error).message), status: 400 }
        }
        const operation = operationOf(document, body.operationName)
        const fault = takeFault(operation?.name?.value)
        if (fault !== undefined) return fault
        const invalid = validate(schema, document)
        if (invalid.length > 0 || operation === undefined) {
          return { payload: vendorErrors(invalid.length > 0 ? invalid : [new GraphQLError("No operation to run")]), status: 400 }
        }
        const variables = (body.variables ?? {}) as Record<string, unknown>
        if (operation.operation === "subscription") {
          if (socket === undefined) return { payload: errorPayload("GRAPHQL_SUB_START_ERROR", "Subscribe over the WebSocket"), status: 400 }
          if (socket.subscriptions.size + orphansOf(socket.session).size >= maxSubscriptions) {
            return { payload: errorPayload("MAX_SUB", "The session holds the maximum number of subscriptions"), status: 429 }
          }
          const subscriptionId = `sub-${++counter}`
          // Registered once the answer is sent, so no push overtakes it.
          const register = Effect.sync(() =>
            void socket.subscriptions.set(subscriptionId, {
              document,
              variables,
              ...(typeof body.operationName === "string" ? { operationName: body.operationName } : {})
            })
          )
          return { payload: { data: { subscription_id: subscriptionId } }, after: register, register }
        }
        const after: Array<Effect.Effect<void>> = []
        const result = execute({
          schema,
          document,
          rootValue: root(socket, after),
          variableValues: variables,
          operationName: operation.name?.value
        }) as ExecutionResult
        if (result.errors !== undefined && result.errors.length > 0) {
          const payload = vendorErrors(result.errors)
          return { payload, status: statusOf(payload.errors[0]!.name) }
        }
        return { payload: { data: result.data }, after: Effect.all(after, { discard: true }) }
      })

    const onFrame = (socket: Live, text: string) =>
      Effect.gen(function*() {
        let frame: Record<string, any>
        try {
          frame = JSON.parse(text)
        } catch {
          return
        }
        const payload = frame.payload ?? {}
        let operation: string | undefined
        if (frame.type === "request") {
          try {
            operation = typeof payload.operationName === "string"
              ? payload.operationName
              : operationOf(parse(String(payload.query)), undefined)?.name?.value
          } catch {
            operation = undefined
          }
        }
        frames.push({ sessionId: socket.session.id, socket: socket.ordinal, frame, operation, receivedAt: yield* Clock.currentTimeMillis })
        if (muted) return
        if (frame.sig === "PING") return yield* send(socket, { sig: "PONG", payload: frame.payload })
        if (frame.type === "stop_subscription") {
          const id = String(payload.subscription_id)
          const removed = socket.subscriptions.delete(id) || (orphaned.get(socket.session.id)?.delete(id) ?? false)
          return yield* send(socket, { id: frame.id, payload: { data: { success: removed } } })
        }
        if (frame.type !== "request") return
        const answer = yield* run(socket, payload)
        if (answer.hang === true) return
        const acknowledge = send(socket, { id: frame.id, payload: answer.payload, ...(answer.status === undefined ? {} : { error_code: answer.status }) })
        if (answer.register !== undefined && acks !== undefined) {
          yield* answer.register
          acks.push(acknowledge)
          return
        }
        const reply = Effect.andThen(acknowledge, answer.after ?? Effect.void)
        if (held === undefined) return yield* reply
        held.answers.push(reply)
        if (held.answers.length < held.count) return
        const answers = held.answers.reverse()
        held = undefined
        yield* Effect.all(answers, { discard: true })
      })

    const webSocket = (sessionId: string, clientId: string) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const upgraded = yield* request.upgrade
        const read = yield* Socket.readerString(upgraded)
        const writer = yield* upgraded.writer
        const session = sessions.find((s) => s.id === sessionId && s.clientId === clientId)
        if (session === undefined || session.ended) {
          // Connecting to a URL that is not (or no longer) authenticated.
          yield* Effect.ignore(writer.write(JSON.stringify({ sig: "EOS", reason: "unexpected session state" })))
          yield* Effect.ignore(writer.write(new Socket.CloseEvent(1000, "EOS")))
          return HttpServerResponse.empty()
        }
        const socket: Live = { ordinal: ++sockets, session, writer, subscriptions: new Map() }
        live.add(socket)
        yield* Effect.forever(Effect.flatMap(read, (texts) => Effect.forEach(texts, (text) => onFrame(socket, text), { discard: true }))).pipe(
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => forget(socket)))
        )
        return HttpServerResponse.empty()
      }).pipe(Effect.scoped)

    const http = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = new URL(request.url, "http://127.0.0.1").pathname
      const socketPath = /^\/stream\/0\.1\/graphql\/([^:/]+):([^/]+)$/.exec(path)
      if (socketPath !== null) return yield* webSocket(socketPath[1]!, socketPath[2]!)
      if (path !== "/graphql/request" || request.method !== "POST") return HttpServerResponse.empty({ status: 404 })
      const body = yield* Effect.orElseSucceed(request.json, () => ({})) as Effect.Effect<Record<string, unknown>>
      const query = String(body.query ?? "")
      if (query.includes("__schema")) {
        // Introspection needs a valid token, sent as a bearer token.
        const bearer = /^Bearer\s+(.+)$/i.exec(request.headers["authorization"] ?? "")?.[1]
        if (bearer === undefined || !tokens.has(bearer)) {
          return HttpServerResponse.jsonUnsafe(errorPayload("UNAUTHORIZED", "A valid access token is required"), { status: 401 })
        }
        const result = execute({ schema, document: parse(query) }) as ExecutionResult
        return HttpServerResponse.jsonUnsafe(result)
      }
      let rootField: string | undefined
      try {
        const operation = operationOf(parse(query), body.operationName)
        const first = operation?.selectionSet.selections[0]
        rootField = first?.kind === Kind.FIELD ? first.name.value : undefined
        httpRequests.push({ operation: operation?.name?.value, receivedAt: yield* Clock.currentTimeMillis })
      } catch {
        rootField = undefined
      }
      if (rootField !== undefined && rootField !== "startAgentSession") {
        return HttpServerResponse.jsonUnsafe(errorPayload("GRAPHQL_EXEC_ERROR", "Only startAgentSession is served over HTTP"), {
          status: 400
        })
      }
      const answer = yield* run(undefined, body)
      if (answer.hang === true) {
        yield* Deferred.await(closing)
        return HttpServerResponse.empty({ status: 503 })
      }
      if (answer.after !== undefined) yield* answer.after
      return HttpServerResponse.jsonUnsafe(answer.payload, { status: answer.status ?? 200 })
    })

    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: options.port ?? 0, host: "127.0.0.1" }).pipe(
      Effect.orDie
    )
    yield* server.serve(Effect.catchCause(http, () => Effect.succeed(HttpServerResponse.empty({ status: 500 }))))
    // Runs before the server stops (finalizers run in reverse), which waits for every request.
    yield* Effect.addFinalizer(() => Deferred.succeed(closing, undefined))
    const address = server.address
    url = `http://127.0.0.1:${address._tag === "UnixPathAddress" ? 0 : address.port}`

    return {
      url,
      graphqlUrl: `${url}/graphql/request`,
      visitorSays: ({ channelId, text, visitor }) =>
        Effect.suspend(() => {
          const id = channelId ?? `channel-${++counter}`
          const channel = channels.get(id) ?? { visitor: { ...(visitor ?? { id: `2.visitor${counter}`, display_name: `Visitor ${counter}` }) } }
          channels.set(id, channel)
          const message: Message = {
            id: `msg-${++counter}`,
            channelId: id,
            content: text,
            from: { __typename: "Visitor", id: channel.visitor.id, display_name: channel.visitor.display_name },
            kind: "visitor"
          }
          messages.push(message)
          return Effect.as(publish(message), message)
        }),
      endOfService: (reason = "unexpected session state") =>
        Effect.suspend(() => Effect.forEach([...live], (socket) => endSocket(socket, reason), { discard: true })),
      dropConnections: Effect.suspend(() =>
        Effect.forEach([...live], (socket) => {
          // Forgotten at once, so a reconnect never finds the old socket's subscriptions on it.
          forget(socket)
          return Effect.ignore(socket.writer.write(new Socket.CloseEvent(1011, "dropped")))
        }, {
          discard: true
        })
      ),
      failNext: (fault) => Effect.sync(() => void faults.push({ ...fault, remaining: fault.times ?? 1 })),
      mute: (value) => Effect.sync(() => void (muted = value)),
      holdAcks: (held) =>
        Effect.suspend(() => {
          const waiting = acks ?? []
          acks = held ? waiting : undefined
          return held ? Effect.void : Effect.all(waiting, { discard: true })
        }),
      reorder: (count) => Effect.sync(() => void (held = { count, answers: [] })),
      httpRequests: Effect.sync(() => [...httpRequests]),
      frames: Effect.sync(() => [...frames]),
      sessions: Effect.sync(() => sessions.map((s) => ({ ...s }))),
      messages: Effect.sync(() => [...messages]),
      departments: Effect.sync(() => [...departments]),
      transfers: Effect.sync(() => [...transfers]),
      agentStatus: Effect.sync(() => self.status),
      openSockets: Effect.sync(() => live.size),
      liveSubscriptions: Effect.sync(() =>
        [...live].reduce((n, socket) => n + socket.subscriptions.size, 0) +
        [...orphaned.values()].reduce((n, orphans) => n + orphans.size, 0)
      )
    }
  })
