/**
 * One account's v2 layer: every generated v2 service with the account's endpoint, credentials,
 * rate-limit budget and retry policy, built apart from any other account's.
 *
 * @since 0.1.0
 */
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { RateLimit as CoreRateLimit, Retry as CoreRetry } from "@vendor-sdk/core"
import { layer } from "./generated/layer.ts"
import { type Auth, Endpoint, RateLimit, Retry, vendor } from "./generated/vendor.ts"

/** Every v2 service `layer` provides. */
export type Services = Layer.Success<typeof layer>

/** Where one Kommo account lives and how to talk to its v2 API. */
export interface AccountOptions<E, R> {
  readonly subdomain: string
  /** `kommo.com` by default; `amocrm.ru` and `amocrm.com` accounts serve v2 too. */
  readonly domain?: string | undefined
  readonly baseUrl?: string | undefined
  readonly auth: Layer.Layer<Auth, E, R>
  readonly retry?: CoreRetry.Options | undefined
  /**
   * 7 requests per second by default, keyed by the account's host (`<subdomain>.<domain>`). Options
   * here override those of a `RateLimit` layer around the account (e.g. `Kommo.RateLimit.layerRedis()`,
   * whose limiter is kept); `false` turns the client-side limit off.
   */
  readonly rateLimit?: CoreRateLimit.Options | false | undefined
}

/**
 * Every v2 service for one account, with its own client, session and rate-limit budget, built apart
 * from any other account's (nesting one account's layer in another's uses the inner account).
 */
export const layerAccount = <E, R>(options: AccountOptions<E, R>): Layer.Layer<Services, E, R | HttpClient.HttpClient> => {
  const domain = options.domain ?? "kommo.com"
  return AmoCRM.isolated(
    layer.pipe(
      Layer.provide(options.auth),
      Layer.provide(Layer.mergeAll(
        Endpoint.layer({
          variables: { subdomain: options.subdomain, domain },
          ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl })
        }),
        options.retry === undefined ? Layer.empty : Retry.layer(options.retry),
        AmoCRM.accountRateLimit(RateLimit, vendor, AmoCRM.accountHost({ subdomain: options.subdomain, domain }), options.rateLimit)
      ))
    )
  )
}
