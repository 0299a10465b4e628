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
export * as Ajax from "./Ajax.ts"
export * as ApiKey from "./ApiKey.ts"
export * as Batch from "./Batch.ts"
export { layerConfig } from "./config.ts"
export * from "./generated/index.ts"
export * as V4 from "./V4.ts"

export { type AccountOptions, layerAccount, type Services } from "./account.ts"
