/**
 * One account's layer: every generated service with the account's endpoint, credentials, rate-limit
 * budget and retry policy, built apart from any other account's.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { HttpClient } from "effect/http"
import { RateLimit as CoreRateLimit, type Retry as CoreRetry, type Vendor } from "@vendor-sdk/core"
import { layer } from "./generated/layer.ts"
import { type Auth, Endpoint, RateLimit, Retry, vendor } from "./generated/vendor.ts"

/** Every service `layer` provides. */
export type Services = Layer.Success<typeof layer>

/** Where one account lives and how to talk to it. */
export interface AccountOptions<E, R> {
  readonly subdomain: string
  /** `amocrm.ru` by default; `amocrm.com`, or `kommo.com` for Kommo. */
  readonly domain?: string | undefined
  /** Another server for the account host, e.g. the loopback mock. */
  readonly baseUrl?: string | undefined
  /** Other servers (Drive, `api_domain`), keyed by the spec's server URL. */
  readonly servers?: Readonly<Record<string, string>> | undefined
  readonly auth: Layer.Layer<Auth, E, R>
  readonly retry?: CoreRetry.Options | undefined
  /**
   * The account's request budget: 7 per second by default, keyed by the account's host
   * (`<subdomain>.<domain>`) so accounts never share one. Options here override those of a
   * `RateLimit` layer around the account (e.g. `AmoCRM.RateLimit.layerRedis()`, whose limiter is
   * kept); `{ limiter }` takes a shared limiter such as core's `RateLimit.redisLimiter()`.
   * `false` turns the client-side limit off.
   */
  readonly rateLimit?: CoreRateLimit.Options | false | undefined
}

/** The host that names an account in rate-limit budgets, token-store keys and lock keys. */
export const accountHost = (options: { readonly subdomain: string; readonly domain?: string | undefined }): string =>
  `${options.subdomain}.${options.domain ?? "amocrm.ru"}`

/**
 * The rate-limit policy (`reference`, a vendor's `RateLimit`) of one account: the policy around it (a
 * `RateLimit` layer such as `RateLimit.layerRedis()`, or the vendor's default) with `options` on top,
 * and the budget keyed by `account` unless `options` names another key. A limit turned off around
 * the account stays off unless `options` are given; `false` turns it off.
 */
export const accountRateLimit = (
  reference: Context.Reference<CoreRateLimit.Policy | undefined>,
  forVendor: Vendor.Vendor,
  account: string,
  options: CoreRateLimit.Options | false | undefined
): Layer.Layer<never> =>
  options === false ? Layer.succeed(reference, undefined) : Layer.effect(
    reference,
    Effect.map(reference, (outer) =>
      outer === undefined && options === undefined ? undefined : CoreRateLimit.make(forVendor, {
        ...(outer === undefined ? {} : {
          limit: outer.limit,
          window: outer.window,
          algorithm: outer.algorithm,
          cost: outer.cost,
          limiter: outer.limiter
        }),
        ...options,
        account: options?.account ?? account
      }))
  )

/**
 * A layer built with a memo map of its own, once per use of this very value: nothing inside it is
 * shared with another layer that happens to contain the same generated layers (effect memoises
 * layers by identity, also across nested `Effect.provide`s), while providing this value twice still
 * builds it once.
 */
export const isolated = <A, E, R>(self: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  Layer.fromBuildMemo((_, scope) =>
    // The context built leaves out the private memo map, so layers provided further in are
    // memoised with the program's own.
    Effect.map(
      Layer.buildWithMemoMap(self, Layer.makeMemoMapUnsafe(), scope),
      (context) => Context.omit(Layer.CurrentMemoMap)(context) as Context.Context<A>
    )
  )

/**
 * Every service for one account, with its own client, credentials and rate-limit budget. Build
 * several of them for several accounts (see {@link Accounts}); nesting one account's layer inside
 * another's uses the inner account.
 */
export const layerAccount = <E, R>(
  options: AccountOptions<E, R>
): Layer.Layer<Services, E, R | HttpClient.HttpClient> =>
  isolated(
    layer.pipe(
      Layer.provide(options.auth),
      Layer.provide(Layer.mergeAll(
        Endpoint.layer({
          variables: { subdomain: options.subdomain, domain: options.domain ?? "amocrm.ru" },
          ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
          ...(options.servers === undefined ? {} : { servers: options.servers })
        }),
        options.retry === undefined ? Layer.empty : Retry.layer(options.retry),
        accountRateLimit(RateLimit, vendor, accountHost(options), options.rateLimit)
      ))
    )
  )
