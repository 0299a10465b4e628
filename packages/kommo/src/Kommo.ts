/**
 * Kommo, two ways:
 *
 * - {@link V4}: the current API, which is amoCRM's v4 on `{subdomain}.kommo.com` — the
 *   `@vendor-sdk/amocrm` services with Kommo defaults;
 * - the legacy v2 API the seed wrapper uses (generated from specs/kommo/openapi-v2.yaml): `Leads`,
 *   `Contacts`, `Companies`, `Tasks`, `Notes`, `Catalogs`, `CatalogElements`, `Pipelines`,
 *   `Webhooks`, `Widgets`, `IncomingLeads`, `Account`, with `…Stream` methods paging by
 *   `limit_rows`/`limit_offset` (or `page`); {@link ApiKey} for the API-key session, {@link Batch} for
 *   saves with a limit, {@link Ajax} for the frontend AJAX requests.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { RateLimit as CoreRateLimit, Retry as CoreRetry } from "@vendor-sdk/core"
import { layer } from "./generated/layer.ts"
import { type Auth, Endpoint, RateLimit, Retry } from "./generated/vendor.ts"

export * as Ajax from "./Ajax.ts"
export * as ApiKey from "./ApiKey.ts"
export * as Batch from "./Batch.ts"
export { layerConfig } from "./config.ts"
export * from "./generated/index.ts"
export * as V4 from "./V4.ts"

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
  /** 7 requests per second by default; `false` turns the client-side limit off. */
  readonly rateLimit?: CoreRateLimit.Options | false | undefined
}

/** Every v2 service for one account, with its own client, session and rate-limit budget. */
export const layerAccount = <E, R>(options: AccountOptions<E, R>): Layer.Layer<Services, E, R | HttpClient.HttpClient> =>
  layer.pipe(
    Layer.provide(options.auth),
    Layer.provide(Layer.mergeAll(
      Endpoint.layer({
        variables: { subdomain: options.subdomain, domain: options.domain ?? "kommo.com" },
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl })
      }),
      options.retry === undefined ? Layer.empty : Retry.layer(options.retry),
      options.rateLimit === false
        ? RateLimit.disabled
        : RateLimit.layer({ account: `${options.domain ?? "kommo.com"}:${options.subdomain}`, ...options.rateLimit })
    ))
  )
