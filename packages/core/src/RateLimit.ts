/**
 * Client-side rate limiting on effect's `RateLimiter` (effect/persistence), keyed per vendor account.
 *
 * The default store is in memory, one per client. With the Redis store, every process that talks to
 * the same account shares one budget. Limits, request costs and response headers default to what
 * the vendor documents (`x-rate-limit` in its spec); the limiter also learns from those headers.
 *
 * @since 0.1.0
 */
import { Duration, Effect } from "effect"
import { HttpClient, type HttpClientRequest } from "effect/http"
import { RateLimiter, type Redis } from "effect/persistence"
import type * as Vendor from "./Vendor.ts"

/** A rate-limit policy. */
export interface Policy {
  readonly limit: number
  readonly window: Duration.Input
  readonly algorithm: "fixed-window" | "token-bucket"
  /** Tokens one request costs (Help Scout counts writes double). */
  readonly cost: (request: HttpClientRequest.HttpClientRequest) => number
  /** The budget's key suffix: one budget per account. */
  readonly account: string
  readonly headers: Vendor.RateLimitDefaults["headers"]
  /** A shared limiter (e.g. on Redis); each client makes its own in-memory one when absent. */
  readonly limiter?: RateLimiter.RateLimiter | undefined
}

/** Overrides for a vendor's default policy. */
export interface Options {
  readonly limit?: number | undefined
  readonly window?: Duration.Input | undefined
  readonly algorithm?: "fixed-window" | "token-bucket" | undefined
  readonly cost?: ((request: HttpClientRequest.HttpClientRequest) => number) | undefined
  readonly account?: string | undefined
  readonly limiter?: RateLimiter.RateLimiter | undefined
}

/** The vendor's documented limit with overrides; `undefined` when the vendor documents none and none is given. */
export const make = (vendor: Vendor.Vendor, options: Options = {}): Policy | undefined => {
  const defaults = vendor.rateLimit
  const limit = options.limit ?? defaults?.limit
  const window = options.window ?? defaults?.window
  if (limit === undefined || window === undefined) return undefined
  return {
    limit,
    window,
    algorithm: options.algorithm ?? defaults?.algorithm ?? "token-bucket",
    cost: options.cost ?? ((request) => defaults?.cost[request.method] ?? 1),
    account: options.account ?? "default",
    headers: defaults?.headers ?? {},
    limiter: options.limiter
  }
}

/** The limiter of a policy that names one; otherwise a fresh in-memory limiter. */
export const limiterFor = (policy: Policy): Effect.Effect<RateLimiter.RateLimiter> =>
  policy.limiter !== undefined
    ? Effect.succeed(policy.limiter)
    : RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))

/** A limiter on Redis, to share budgets between processes. */
export const redisLimiter = (
  options: { readonly prefix?: string | undefined } = {}
): Effect.Effect<RateLimiter.RateLimiter, never, Redis.Redis> =>
  RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreRedis({ prefix: options.prefix ?? "vendor-sdk:ratelimit:" })))

/**
 * effect 4.1.0's fixed-window `consume` can answer a request under the limit with a positive delay
 * of a few nanoseconds (floating-point error), and `withRateLimiter` then sleeps for it: a timer
 * tick, about 1 ms, on every request. Delays under a millisecond are rounded down to none.
 */
const wholeMillisecondDelays = (limiter: RateLimiter.RateLimiter): RateLimiter.RateLimiter => ({
  ...limiter,
  consume: (options) =>
    Effect.map(limiter.consume(options), (result) =>
      Duration.toMillis(result.delay) < 1 ? { ...result, delay: Duration.zero } : result)
})

/**
 * Wraps a client so requests wait for the budget of `<vendor>:<account>`. 429 answers pass through
 * to the retry policy, which owns retrying. A failing limiter store fails with `RateLimiterError`
 * before anything is sent.
 */
export const apply = <E>(
  client: HttpClient.HttpClient.With<E>,
  vendor: Vendor.Vendor,
  policy: Policy,
  limiter: RateLimiter.RateLimiter
): HttpClient.HttpClient.With<E | RateLimiter.RateLimiterError> =>
  client.pipe(
    HttpClient.withRateLimiter({
      limiter: wholeMillisecondDelays(limiter),
      key: `${vendor.name}:${policy.account}`,
      limit: policy.limit,
      window: policy.window,
      algorithm: policy.algorithm,
      tokens: policy.cost,
      times: 0,
      responseHeaders: policy.headers
    })
  )
