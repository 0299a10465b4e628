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

export { accountHost, type AccountOptions, accountRateLimit, isolated, layerAccount, type Services } from "./account.ts"
