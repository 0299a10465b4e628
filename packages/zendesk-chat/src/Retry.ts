/**
 * The vendor's error names as typed errors, and its retry rules.
 *
 * Every operation runs through the generated `Errors` middleware; {@link layerErrors} implements it:
 * an answer whose `errors` carry one of the names in `declaredErrors` fails with that error's class
 * (`RateLimited`, `MaxSubscriptions`, …), carrying the error's `uuid` to quote to Zendesk support.
 * Then the rule of the name applies:
 *
 * - `RATE_LIMITED`: retried with exponential backoff ({@link Retry});
 * - `GRAPHQL_SUB_START_ERROR`: the subscription is started again at most 4 times within 30 seconds
 *   (the spec's limit), with the same backoff;
 * - every other name fails at once: the same call would get the same answer.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer, Schedule, Stream } from "effect"
import type { GraphQLProtocol } from "effect/graphql"
import { type DeclaredError, declaredErrors, Errors, vendor } from "./generated/vendor.ts"

/** How declared errors with a retry rule are retried. */
export interface Policy {
  /** The first delay; each further one doubles. */
  readonly base: Duration.Input
  /** The longest delay. */
  readonly cap: Duration.Input
  /** Retries of a `backoff` rule (RATE_LIMITED) after the first attempt. */
  readonly times: number
  /** Spread each delay over 80–120% so clients do not retry in lockstep. */
  readonly jitter: boolean
}

const defaults: Policy = { base: "1 second", cap: "30 seconds", times: 5, jitter: true }

/** The retry policy of declared errors. Read when the client layer is built. */
export class Retry extends Context.Reference<Policy>("@vendor-sdk/zendesk-chat/Retry", {
  defaultValue: () => defaults
}) {
  /** Changes the policy; options left out keep the defaults (1 s doubling to 30 s, 5 retries, jitter). */
  static readonly layer = (options: Partial<Policy> = {}): Layer.Layer<never> =>
    Layer.succeed(Retry, { ...defaults, ...options })
}

type Name = keyof typeof declaredErrors

const isName = (name: unknown): name is Name => typeof name === "string" && Object.hasOwn(declaredErrors, name)

/** The first error of an answer whose name the vendor declares, as its class. */
export const declaredError = (
  operation: string,
  result: Pick<GraphQLProtocol.ExecutionResult, "errors" | "status">
): DeclaredError | undefined => {
  const errors = result.errors ?? []
  const entry = errors.find((error) => isName(error["name"]))
  if (entry === undefined) return undefined
  const name = entry["name"] as Name
  // The guide writes the key `uuid` in one place and `UUID` in another.
  const uuid = entry["uuid"] ?? entry["UUID"]
  return new declaredErrors[name].error({
    operation,
    code: name,
    message: entry.message,
    uuid: typeof uuid === "string" ? uuid : undefined,
    status: result.status,
    errors
  })
}

const codeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { readonly code?: unknown }).code : undefined

/** One schedule per declared error that has a retry rule, each applied only to its own error. */
const schedules = (policy: Policy) => {
  const cap = Duration.fromInputUnsafe(policy.cap)
  const exponential = Schedule.exponential(policy.base).pipe(
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, cap)))
  )
  const backoff = policy.jitter ? Schedule.jittered(exponential) : exponential
  return Object.entries(declaredErrors).flatMap(([name, { retry }]) => {
    const limit = retry._tag === "Backoff"
      ? { times: policy.times }
      : retry._tag === "Limited"
      ? { times: retry.times, duration: retry.within }
      : undefined
    if (limit === undefined) return []
    return [
      backoff.pipe(
        Schedule.setInputType<unknown>(),
        Schedule.while(({ input }) => codeOf(input) === name),
        Schedule.upTo(limit)
      )
    ]
  })
}

const span = (operation: { readonly name: string; readonly kind: string }) =>
  [`${vendor.name}.${operation.name}`, {
    kind: "client" as const,
    attributes: { vendor: vendor.name, "operation.id": operation.name, "graphql.operation.type": operation.kind }
  }] as const

/**
 * The `Errors` middleware: declared error names become typed errors, retried by their rules. Each
 * call runs in a span `zendesk-chat.<operation>`, retries included.
 */
export const layerErrors: Layer.Layer<Errors> = Layer.effect(
  Errors,
  Effect.gen(function*() {
    const rules = schedules(yield* Retry)
    const check = (operation: string) => (result: GraphQLProtocol.ExecutionResult) => {
      const error = declaredError(operation, result)
      return error === undefined ? Effect.succeed(result) : Effect.fail(error)
    }
    return Errors.of({
      execute: ({ next, operation, request }) =>
        rules.reduce(
          (effect, schedule) => Effect.retry(effect, schedule),
          Effect.flatMap(Effect.suspend(() => next(request)), check(operation.name))
        ).pipe(Effect.withSpan(...span(operation))),
      subscribe: ({ next, operation, request }) =>
        rules.reduce(
          (stream, schedule) => Stream.retry(stream, schedule),
          Stream.mapEffect(Stream.suspend(() => next(request)), check(operation.name))
        ).pipe(Stream.withSpan(...span(operation)))
    })
  })
)
