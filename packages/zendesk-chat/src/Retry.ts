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
 * One {@link schedule} serves both rules: each name keeps its own budget for the whole call, and a
 * retry for one name does not restart the other's.
 *
 * @since 0.1.0
 */
import { Cause, Context, Duration, Effect, Layer, Schedule, Stream } from "effect"
import type { GraphQLProtocol } from "effect/graphql"
import { Retry as CoreRetry } from "@vendor-sdk/core"
import { type DeclaredError, declaredErrors, Errors, vendor } from "./generated/vendor.ts"

/** How declared errors with a retry rule are retried. */
export interface Policy {
  /** The first delay; each further one doubles. */
  readonly base: Duration.Input
  /** The longest delay (jitter included). */
  readonly cap: Duration.Input
  /** Retries of a `backoff` rule (RATE_LIMITED) after the first attempt. */
  readonly times: number
  /** Spread each delay over 80–120% (never above `cap`) so clients do not retry in lockstep. */
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

/** What a declared error with a retry rule may use up within one call. */
interface Budget {
  readonly times: number
  /** Every retry must start within this many milliseconds of the first failure. */
  readonly within?: number | undefined
}

const budgets = (policy: Policy): ReadonlyMap<string, Budget> =>
  new Map(Object.entries(declaredErrors).flatMap(([name, { retry }]): Array<[string, Budget]> =>
    retry._tag === "Backoff"
      ? [[name, { times: policy.times }]]
      : retry._tag === "Limited"
      ? [[name, { times: retry.times, within: Duration.toMillis(Duration.fromInputUnsafe(retry.within)) }]]
      : []
  ))

/**
 * The one retry schedule of a call: exponential from `base`, capped at `cap`, jittered when
 * `jitter`, and stepped on the error's name. Each name with a rule has its own budget for the whole
 * call (RATE_LIMITED: `times`; GRAPHQL_SUB_START_ERROR: 4 retries, all within 30 s of the first
 * failure), so a retry for one name never restarts another's; the delay grows with every retry,
 * whatever its name. Any other error ends the retries.
 */
export const schedule = (policy: Policy): Schedule.Schedule<Duration.Duration, unknown> => {
  const limits = budgets(policy)
  return Schedule.fromStep(Effect.map(Schedule.toStep(CoreRetry.backoff(policy)), (step) => {
    const used = new Map<string, number>()
    let first: number | undefined
    return (now: number, error: unknown) => {
      first ??= now
      const code = codeOf(error)
      const budget = typeof code === "string" ? limits.get(code) : undefined
      if (budget === undefined || typeof code !== "string") return Cause.done(Duration.zero)
      const count = (used.get(code) ?? 0) + 1
      if (count > budget.times) return Cause.done(Duration.zero)
      used.set(code, count)
      const start = first
      return Effect.flatMap(step(now, error), ([, delay]) =>
        budget.within !== undefined && now - start + Duration.toMillis(delay) > budget.within
          ? Cause.done(delay)
          : Effect.succeed([delay, delay] as [Duration.Duration, Duration.Duration]))
    }
  }))
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
    const policy = yield* Retry
    const check = (operation: string) => (result: GraphQLProtocol.ExecutionResult) => {
      const error = declaredError(operation, result)
      return error === undefined ? Effect.succeed(result) : Effect.fail(error)
    }
    return Errors.of({
      execute: ({ next, operation, request }) =>
        Effect.flatMap(Effect.suspend(() => next(request)), check(operation.name)).pipe(
          Effect.retry(schedule(policy)),
          Effect.withSpan(...span(operation))
        ),
      subscribe: ({ next, operation, request }) =>
        Stream.mapEffect(Stream.suspend(() => next(request)), check(operation.name)).pipe(
          Stream.retry(schedule(policy)),
          Stream.withSpan(...span(operation))
        )
    })
  })
)
