/**
 * The Sendbee Public API v2 as Effect services.
 *
 * Generated from specs/sendbee/openapi.yaml: one service per resource group (`Contacts`,
 * `ContactTags`, `ContactFields`, `Conversations`, `Messages`, `MessageTemplates`, `Teams`,
 * `Automation`, `RateLimitService`), the models as Schemas, and the `Auth`, `Endpoint`, `Retry` and
 * `RateLimit` keys. Hand-written: {@link layerAuth} (per-request HMAC tokens), {@link layerConfig}
 * and {@link Webhooks}.
 *
 * @since 0.1.0
 */
export { authenticator, authToken, type Credentials, layerAuth } from "./auth.ts"
export { layerConfig, type Services } from "./config.ts"
export * from "./generated/index.ts"
export * as Webhooks from "./Webhooks.ts"
