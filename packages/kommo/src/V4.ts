/**
 * Kommo's current API: the amoCRM v4 surface (`@vendor-sdk/amocrm`) on `{subdomain}.kommo.com`, with
 * Kommo defaults: the `kommo.com` domain, `KOMMO_*` configuration, and the kommo.com authorize page
 * and button. Everything else (services, models, OAuth, batches, locks, webhooks, disposable tokens)
 * is amoCRM's, re-exported here.
 *
 * ```ts
 * Kommo.V4.layerAccount({ subdomain: "acme", auth: Kommo.V4.OAuth.longLived(token) })
 * Kommo.V4.Accounts.layer({ north: Kommo.V4.layerAccount(…), south: Kommo.V4.layerAccount(…) })
 * ```
 *
 * @since 0.1.0
 */
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Layer } from "effect"
import type { HttpClient } from "effect/http"

export * from "@vendor-sdk/amocrm/AmoCRM"
export { operations } from "@vendor-sdk/amocrm"

/** Kommo's domain. */
export const domain = "kommo.com"

/** Every v4 service for one Kommo account (`{subdomain}.kommo.com` unless `domain` says otherwise). */
export const layerAccount = <E, R>(
  options: AmoCRM.AccountOptions<E, R>
): Layer.Layer<AmoCRM.Services, E, R | HttpClient.HttpClient> => AmoCRM.layerAccount({ ...options, domain: options.domain ?? domain })

/**
 * Every v4 service from the environment: `KOMMO_SUBDOMAIN`, `KOMMO_DOMAIN` (`kommo.com` by default),
 * `KOMMO_ACCESS_TOKEN` or `KOMMO_CLIENT_ID`/`_SECRET`/`_REDIRECT_URI`/`_REFRESH_TOKEN`|`_AUTH_CODE`,
 * `KOMMO_BASE_URL`.
 */
export const layerConfig = (options: { readonly prefix?: string | undefined } = {}) =>
  AmoCRM.layerConfig({ prefix: options.prefix ?? "KOMMO", defaultDomain: domain })

/** amoCRM's OAuth helpers, with the kommo.com authorize page and button by default. */
export const OAuth = {
  ...AmoCRM.OAuth,
  authorizeUrl: (options: AmoCRM.OAuth.AuthorizeOptions): string => AmoCRM.OAuth.authorizeUrl({ brand: "kommo", ...options }),
  button: (options: AmoCRM.OAuth.ButtonOptions): string => AmoCRM.OAuth.button({ brand: "kommo", ...options })
}
