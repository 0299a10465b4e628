/**
 * The Help Scout Mailbox API v2 (and Chat API v1) as Effect services.
 *
 * Generated from specs/helpscout/openapi.yaml: one service per resource group (`Conversations`,
 * `Threads`, `Customers`, …), the models as Schemas, and the `Auth`, `Endpoint`, `Retry` and
 * `RateLimit` keys. Hand-written: {@link layerConfig}, {@link IncomingWebhooks} and {@link AttachmentFiles}.
 *
 * @since 0.1.0
 */
export * as AttachmentFiles from "./AttachmentFiles.ts"
export { layerConfig } from "./config.ts"
export * from "./generated/index.ts"
export * as IncomingWebhooks from "./IncomingWebhooks.ts"
