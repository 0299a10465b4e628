/**
 * Retry with exponential backoff and jitter, honouring `Retry-After` and the vendor's own header.
 *
 * What is retried:
 * - any method on 429;
 * - idempotent operations (GET, PUT, DELETE, …) on 408, 5xx and transport failures;
 * - POST and PATCH on a transport failure only when the request provably never reached the server
 *   (connection refused, host not found), so nothing is ever created twice.
 *
 * Errors a vendor declares fatal (amoCRM's `AccountBlocked`) are never retried, and neither are
 * credentials that could not be obtained.
 *
 * @since 0.1.0
 */
import { Data, Duration, Effect, Schedule } from "effect"
import type * as Operation from "./Operation.ts"
import type * as Vendor from "./Vendor.ts"

/** A retry policy. */
export interface Policy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly times: number
  /** The first backoff delay; each further one doubles. */
  readonly base: Duration.Input
  /** The longest backoff delay; only a `Retry-After` can ask for longer. */
  readonly cap: Duration.Input
  /** Spread each delay over 80–120% (never above `cap`) so clients do not retry in lockstep. */
  readonly jitter: boolean
  /** A `Retry-After` longer than this is not waited for: the call fails with `RateLimited` instead. */
  readonly maxRetryAfter: Duration.Input
  /** How long one attempt may take before it counts as a transport failure. */
  readonly attemptTimeout: Duration.Input
}

/** Overrides for a vendor's default policy. */
export type Options = Partial<Policy>

/** The vendor's default policy, with overrides. */
export const make = (vendor: Vendor.Vendor, options: Options = {}): Policy => ({
  times: options.times ?? vendor.retry.times,
  base: options.base ?? vendor.retry.base,
  cap: options.cap ?? vendor.retry.cap,
  jitter: options.jitter ?? true,
  maxRetryAfter: options.maxRetryAfter ?? "5 minutes",
  attemptTimeout: options.attemptTimeout ?? "60 seconds"
})

/** A policy that never retries. */
export const disabled: Policy = {
  times: 0,
  base: 0,
  cap: 0,
  jitter: false,
  maxRetryAfter: 0,
  attemptTimeout: "60 seconds"
}

/** A response the policy may retry; `retryAfter` is what the vendor asked for. */
export class RetryableResponse extends Data.TaggedError("RetryableResponse")<{
  readonly response: Operation.RawResponse
  readonly retryAfter: Duration.Duration | undefined
}> {}

/** A request that failed before any response arrived. */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{
  readonly cause: unknown
  readonly reachedServer: boolean
}> {}

/** What one attempt can fail with before decoding. */
export type AttemptFailure = RetryableResponse | TransportFailure

const neverReachedServer = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"])

/** Whether a transport failure provably happened before the request reached the server. */
export const reachedServer = (cause: unknown): boolean => {
  let current: unknown = cause
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && neverReachedServer.has(code)) return false
    const errors = (current as { readonly errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0 && errors.every((error) => !reachedServer(error))) return false
    current = (current as { readonly cause?: unknown }).cause
  }
  return true
}

/** Whether a status is worth retrying for this operation. */
export const isRetryableStatus = (op: Operation.Any, status: number): boolean => {
  if (isFatal(op.vendor, status)) return false
  if (status === 429) return true
  return op.idempotent && (status === 408 || status === 500 || status === 502 || status === 503 || status === 504)
}

const isFatal = (vendor: Vendor.Vendor, status: number) => {
  const declared = vendor.errors.statuses[status]
  return declared !== undefined && vendor.errors.fatal.includes(declared)
}

/** Whether a failed attempt is worth retrying for this operation under this policy. */
export const isRetryable = (policy: Policy, op: Operation.Any, failure: unknown): boolean => {
  if (failure instanceof RetryableResponse) {
    return failure.retryAfter === undefined ||
      Duration.isLessThanOrEqualTo(failure.retryAfter, Duration.fromInputUnsafe(policy.maxRetryAfter))
  }
  return failure instanceof TransportFailure && (op.idempotent || !failure.reachedServer)
}

/**
 * Exponential backoff from `base`, doubling, never above `cap`; with `jitter` each delay is spread
 * over 80–120% (`Schedule.jittered`). Unlimited: bound it with `Schedule.upTo`. Every retry
 * schedule of the SDK, the Zendesk Chat reconnects included, is built on it.
 */
export const backoff = (
  options: Pick<Policy, "base" | "cap" | "jitter">
): Schedule.Schedule<Duration.Duration, unknown> => {
  // Jitter scales by up to 120%, so the delay it scales stops at cap / 1.2: capped delays still
  // spread (over 67–100% of cap) instead of all clients waiting exactly `cap`.
  const ceiling = Duration.millis(Duration.toMillis(Duration.fromInputUnsafe(options.cap)) / (options.jitter ? 1.2 : 1))
  const capped = Schedule.exponential(options.base).pipe(
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, ceiling)))
  )
  return (options.jitter ? Schedule.jittered(capped) : capped).pipe(Schedule.setInputType<unknown>())
}

/**
 * The backoff schedule of a policy: {@link backoff}, at most `times` retries. A `Retry-After`
 * raises the next delay to what the vendor asked for. It reads its input only to find a
 * {@link RetryableResponse}, so it accepts any failure.
 */
export const schedule = (policy: Policy): Schedule.Schedule<Duration.Duration, unknown> =>
  backoff(policy).pipe(
    Schedule.modifyDelay(({ duration, input }) =>
      Effect.succeed(
        input instanceof RetryableResponse && input.retryAfter !== undefined
          ? Duration.max(duration, input.retryAfter)
          : duration
      )
    ),
    Schedule.upTo({ times: policy.times })
  )
