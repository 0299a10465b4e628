/**
 * A mock vendor built from a generated operation registry.
 *
 * Every request is routed to its operation by method and path (and, for `x-variants`, by the
 * constant part of the body), then decoded with the operation's own params Schema: an unknown route
 * or a bad param answers with the vendor's error shape. Operations with a handler run it against
 * in-memory state; the others answer with a schema-valid example. Every JSON answer is checked
 * against the operation's response Schema, so a mock bug shows up as a failing test, not a
 * misleading pass. Auth, the vendor's rate limit and injected faults apply before the handler.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Random, Schema, SchemaIssue, type Scope } from "effect"
import { Arbitrary } from "effect"
import type { Operation, Vendor } from "@vendor-sdk/core"
import * as Server from "./Server.ts"
import { State } from "./State.ts"
import * as Wire from "./Wire.ts"

/** A field error in a validation answer. */
export interface FieldError {
  readonly path: string
  readonly message: string
}

/** What a handler gets. */
export interface HandlerContext {
  readonly operation: Operation.Any
  /** The decoded params (the same shape the client passed). */
  readonly params: any
  readonly request: Server.RecordedRequest
  readonly state: State
  /** The mock's base URL, for links in answers. */
  readonly url: string
  /** The vendor's error answer. */
  readonly error: (status: number, message: string, fieldErrors?: ReadonlyArray<FieldError>) => Server.Reply
  /** A schema-valid example answer for this operation. */
  readonly example: Effect.Effect<Server.Reply>
}

/** Answers one operation. */
export type Handler = (context: HandlerContext) => Effect.Effect<Server.Reply>

/** A documented rate limit to enforce. */
export interface RateLimit {
  readonly limit: number
  readonly window: Duration.Input
  /** Which budget a request spends; one budget when absent. */
  readonly key?: ((request: Server.RecordedRequest) => string) | undefined
  /** Tokens a request costs. */
  readonly cost?: ((request: Server.RecordedRequest) => number) | undefined
  /** The vendor's rate-limit headers for an answer. */
  readonly headers?:
    | ((budget: {
      readonly limit: number
      readonly remaining: number
      /** Seconds until the window resets. */
      readonly resetSeconds: number
      /** When the window resets, epoch milliseconds (by the Clock). */
      readonly resetAt: number
    }) => Record<string, string>)
    | undefined
}

/** A mock vendor. */
export interface Definition {
  readonly vendor: Vendor.Vendor
  readonly operations: Readonly<Record<string, Operation.Any>>
  /** The vendor's error answer for a status, message and field errors. */
  readonly error: (status: number, message: string, fieldErrors: ReadonlyArray<FieldError>) => Server.Reply
  /** Checks credentials; answers the rejection, or `undefined` to let the request through. */
  readonly authenticate?: ((request: Server.RecordedRequest, state: State) => Effect.Effect<Server.Reply | undefined>) | undefined
  /** Operations that need no credentials (token endpoints, logins). */
  readonly public?: ReadonlyArray<string> | undefined
  readonly rateLimit?: RateLimit | undefined
  readonly handlers?: Readonly<Record<string, Handler>> | undefined
  /** Fills the state before the first request. */
  readonly seed?: ((state: State) => void) | undefined
}

/** A fault to inject into matching requests. */
export interface FaultRule {
  readonly fault: Server.Fault
  /** Only this operation; every operation when absent. */
  readonly operationId?: string | undefined
  /** How many requests to affect; unlimited when absent. */
  readonly times?: number | undefined
  /** The share of matching requests to affect, 0–1; all when absent. */
  readonly probability?: number | undefined
}

/** A running mock vendor. */
export interface Mock extends Server.Server {
  readonly state: State
  /** Adds a fault rule; rules apply in the order added. */
  readonly inject: (rule: FaultRule) => Effect.Effect<void>
  /** Removes every fault rule. */
  readonly heal: Effect.Effect<void>
}

interface Route {
  readonly operation: Operation.Any
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  /** Per path segment: 1 when literal, 0 when it holds a parameter. */
  readonly shape: ReadonlyArray<number>
}

/** A literal segment beats a parameter at the same position: `/contacts/tags` before `/contacts/{id}`. */
const moreSpecific = (a: Route, b: Route): number => {
  for (let i = 0; i < Math.max(a.shape.length, b.shape.length); i++) {
    const difference = (b.shape[i] ?? -1) - (a.shape[i] ?? -1)
    if (difference !== 0) return difference
  }
  return 0
}

const compileRoutes = (operations: ReadonlyArray<Operation.Any>): Array<Route> =>
  operations.map((operation) => {
    const names: Array<string> = []
    const source = operation.path.split(/(\{[^}]+\})/).map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part)
      if (param === null) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      names.push(param[1]!)
      const reserved = operation.parameters.some((p) => p.in === "path" && p.wireName === param[1] && p.allowReserved === true)
      return reserved ? "(.+)" : "([^/]+)"
    }).join("")
    return {
      operation,
      pattern: new RegExp(`^${source}/?$`),
      names,
      shape: operation.path.split("/").filter((segment) => segment !== "").map((segment) => segment.includes("{") ? 0 : 1)
    }
  }).sort(moreSpecific)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The path the operation's server puts before its paths (`/v2` in `https://host/v2`). */
const basePath = (operation: Operation.Any) => {
  const server = operation.server ?? operation.vendor.server
  try {
    return new URL(server.url.replace(/\{[^}]+\}/g, "x")).pathname.replace(/\/$/, "")
  } catch {
    return ""
  }
}

const successSchema = (operation: Operation.Any) =>
  operation.responses.find((r) => typeof r.status === "number" && r.status >= 200 && r.status < 300 && r.schema !== undefined)

const exampleCache = new WeakMap<Operation.Any, unknown>()

/** A schema-valid example answer, generated from the operation's first success response. */
export const example = (operation: Operation.Any): Effect.Effect<Server.Reply> =>
  Effect.gen(function*() {
    const response = successSchema(operation)
    if (response?.schema === undefined) {
      const first = operation.responses[0]
      return { status: typeof first?.status === "number" ? first.status : 204 }
    }
    const status = typeof response.status === "number" ? response.status : 200
    if (response.headers !== undefined) {
      const id = yield* Random.nextIntBetween(1, 1_000_000)
      return { status, headers: Object.fromEntries(Object.values(response.headers).map((name) => [name, String(id)])) }
    }
    const cached = exampleCache.get(operation)
    if (cached !== undefined) return { status, body: cached }
    const schema = response.schema as Schema.Codec<unknown, unknown>
    const [value] = yield* Effect.orDie(Arbitrary.sampleEffect(Arbitrary.schema(schema), { count: 1, seed: 42 }))
    const body = yield* Effect.orDie(Schema.encodeUnknownEffect(schema)(value))
    exampleCache.set(operation, body)
    return { status, body }
  })

/** Starts a mock vendor on loopback for the lifetime of the scope. */
export const make = (
  definition: Definition,
  options: { readonly port?: number | undefined } = {}
): Effect.Effect<Mock, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = new State()
    definition.seed?.(state)
    const routes = compileRoutes(Object.values(definition.operations))
    const faults: Array<FaultRule & { remaining: number }> = []
    const budgets = new Map<string, { windowStart: number; used: number }>()
    const publicOperations = new Set(definition.public ?? [])
    const windowMillis = definition.rateLimit === undefined
      ? 0
      : Duration.toMillis(Duration.fromInputUnsafe(definition.rateLimit.window))
    let baseUrl = ""

    const vendorError = (status: number, message: string, fieldErrors: ReadonlyArray<FieldError> = []) =>
      definition.error(status, message, fieldErrors)

    /**
     * The operations a request may be for, most specific first. Variants share a method and path;
     * the constant part of the body picks one.
     */
    const candidates = (request: Server.RecordedRequest) => {
      const found: Array<{ operation: Operation.Any; values: Record<string, string> }> = []
      for (const r of routes) {
        if (r.operation.method !== request.method) continue
        const base = basePath(r.operation)
        if (!request.path.startsWith(base)) continue
        const match = r.pattern.exec(request.path.slice(base.length))
        if (match === null) continue
        const values: Record<string, string> = {}
        r.names.forEach((name, i) => values[name] = decodeURIComponent(match[i + 1]!))
        const source = r.operation.body?.source
        if (source?._tag === "Fields" && !Wire.matchesConstant(source.constant, request.body)) continue
        found.push({ operation: r.operation, values })
      }
      // A variant whose constant matched beats its general operation.
      return [...found.filter((c) => c.operation.body?.source._tag === "Fields"), ...found.filter((c) => c.operation.body?.source._tag !== "Fields")]
    }

    /**
     * The first candidate whose params decode. `/contacts/tags` matches both `/contacts/{id}` and
     * `/{entity_type}/tags`; only the second decodes, since `tags` is no id.
     */
    const resolve = (request: Server.RecordedRequest) =>
      Effect.gen(function*() {
        const found = candidates(request)
        let firstFailure: Schema.SchemaError | undefined
        for (const { operation, values } of found) {
          const decoded = yield* Effect.result(
            Schema.decodeUnknownEffect(operation.params as Schema.Codec<unknown, unknown>)(
              Wire.requestParams(operation, request, values),
              { errors: "all" }
            )
          )
          if (decoded._tag === "Success") return { operation, params: decoded.success }
          firstFailure ??= decoded.failure
        }
        return found.length === 0 ? undefined : { operation: found[0]!.operation, failure: firstFailure! }
      })

    const takeFault = (operationId: string) =>
      Effect.gen(function*() {
        for (const rule of faults) {
          if (rule.remaining === 0) continue
          if (rule.operationId !== undefined && rule.operationId !== operationId) continue
          if (rule.probability !== undefined && (yield* Random.next) >= rule.probability) continue
          rule.remaining--
          return rule.fault
        }
        return undefined
      })

    const spend = (request: Server.RecordedRequest) =>
      Effect.gen(function*() {
        const limit = definition.rateLimit
        if (limit === undefined) return { headers: {} as Record<string, string>, exceeded: false }
        const now = yield* Clock.currentTimeMillis
        const key = limit.key?.(request) ?? "default"
        let budget = budgets.get(key)
        if (budget === undefined || now - budget.windowStart >= windowMillis) {
          budget = { windowStart: now, used: 0 }
          budgets.set(key, budget)
        }
        const cost = limit.cost?.(request) ?? 1
        const exceeded = budget.used + cost > limit.limit
        if (!exceeded) budget.used += cost
        const resetSeconds = Math.max(1, Math.ceil((budget.windowStart + windowMillis - now) / 1000))
        const headers = limit.headers?.({
          limit: limit.limit,
          remaining: Math.max(0, limit.limit - budget.used),
          resetSeconds,
          resetAt: budget.windowStart + windowMillis
        }) ?? {}
        return { headers: exceeded ? { "retry-after": String(resetSeconds), ...headers } : headers, exceeded }
      })

    /** Checks a handler's JSON answer against the operation's documented response. */
    const checked = (operation: Operation.Any, reply: Server.Reply): Effect.Effect<Server.Reply> => {
      if (reply.status < 200 || reply.status >= 300 || reply.body === undefined || typeof reply.body === "string") {
        return Effect.succeed(reply)
      }
      const documented = operation.responses.find((r) => r.status === reply.status) ?? successSchema(operation)
      if (documented?.schema === undefined || documented.headers !== undefined) return Effect.succeed(reply)
      return Schema.decodeUnknownEffect(documented.schema as Schema.Codec<unknown, unknown>)(reply.body).pipe(
        Effect.as(reply),
        Effect.catch((error) =>
          Effect.succeed(vendorError(500, `mock answer for ${operation.operationId} does not match the spec: ${error.message}`))
        )
      )
    }

    const handle = (request: Server.RecordedRequest): Effect.Effect<Server.Reply> =>
      Effect.gen(function*() {
        const resolved = yield* resolve(request)
        if (resolved === undefined) return vendorError(404, `No route for ${request.method} ${request.path}`)
        const { operation } = resolved
        const fault = yield* takeFault(operation.operationId)
        if (fault !== undefined && fault._tag === "Status") {
          return { status: fault.status, fault }
        }
        if (!publicOperations.has(operation.operationId) && definition.authenticate !== undefined) {
          const rejected = yield* definition.authenticate(request, state)
          if (rejected !== undefined) return rejected
        }
        const budget = yield* spend(request)
        if (budget.exceeded) {
          const reply = vendorError(429, "API rate limit exceeded")
          return { ...reply, headers: { ...reply.headers, ...budget.headers } }
        }
        if ("failure" in resolved) {
          const issues = formatter(resolved.failure.issue).issues
          return vendorError(
            400,
            "Validation error",
            issues.map((issue) => ({ path: (issue.path ?? []).map(String).join("."), message: issue.message }))
          )
        }
        const context: HandlerContext = {
          operation,
          params: resolved.params,
          request,
          state,
          url: baseUrl,
          error: (status, message, fieldErrors = []) => vendorError(status, message, fieldErrors),
          example: example(operation)
        }
        const handler = definition.handlers?.[operation.operationId]
        const reply = yield* checked(operation, yield* (handler === undefined ? example(operation) : handler(context)))
        const withBudget = { ...reply, headers: { ...budget.headers, ...reply.headers } }
        return fault === undefined ? withBudget : { ...withBudget, fault }
      })

    const server = yield* Server.make(handle, options)
    baseUrl = server.url
    return {
      ...server,
      state,
      inject: (rule) =>
        Effect.sync(() => void faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY })),
      heal: Effect.sync(() => void faults.splice(0))
    }
  })
