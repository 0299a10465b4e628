/**
 * The amoCRM REST API v4 (also Kommo's v4, on `{subdomain}.kommo.com`) as Effect services.
 *
 * Generated from specs/amocrm/openapi.yaml: one service per group (`Leads`, `Contacts`, …) with a
 * `…Stream` method for every paged list, the models as Schemas (custom-field values per
 * `field_type`, notes per `note_type`), and the `Auth`, `Endpoint`, `Retry` and `RateLimit` keys.
 * Hand-written: {@link OAuth}, {@link DisposableTokens}, {@link IncomingWebhooks}, {@link Batch},
 * {@link EntityLock}, {@link Updates}, {@link Accounts}, {@link Api}, {@link layerAccount} and {@link layerConfig}.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { RateLimit as CoreRateLimit, Retry as CoreRetry } from "@vendor-sdk/core"
import { layer } from "./generated/layer.ts"
import { type Auth, Endpoint, RateLimit, Retry } from "./generated/vendor.ts"

export * as Accounts from "./Accounts.ts"
export { Api } from "./Api.ts"
export * as Batch from "./Batch.ts"
export { layerConfig } from "./config.ts"
export * as DisposableTokens from "./DisposableTokens.ts"
export * as EntityLock from "./EntityLock.ts"
export * from "./generated/index.ts"
export * as IncomingWebhooks from "./IncomingWebhooks.ts"
export { type FieldType, isCustomField, isNote, type NoteType } from "./Narrow.ts"
export * as OAuth from "./OAuth.ts"
export * as Updates from "./Updates.ts"

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
  /** The account's request budget; 7 per second by default. `false` turns the client-side limit off. */
  readonly rateLimit?: CoreRateLimit.Options | false | undefined
}

/**
 * Every service for one account, with its own client, credentials and rate-limit budget. Build
 * several of them for several accounts (see {@link Accounts}).
 */
export const layerAccount = <E, R>(
  options: AccountOptions<E, R>
): Layer.Layer<Services, E, Exclude<R, never> | HttpClient.HttpClient> =>
  layer.pipe(
    Layer.provide(options.auth),
    Layer.provide(Layer.mergeAll(
      Endpoint.layer({
        variables: { subdomain: options.subdomain, domain: options.domain ?? "amocrm.ru" },
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.servers === undefined ? {} : { servers: options.servers })
      }),
      options.retry === undefined ? Layer.empty : Retry.layer(options.retry),
      options.rateLimit === false
        ? RateLimit.disabled
        : RateLimit.layer({ account: `${options.domain ?? "amocrm.ru"}:${options.subdomain}`, ...options.rateLimit })
    ))
  )
