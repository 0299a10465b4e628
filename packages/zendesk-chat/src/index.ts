/**
 * @vendor-sdk/zendesk-chat
 *
 * @since 0.1.0
 */
export { operations } from "./generated/operations.ts"
export * as ZendeskChat from "./ZendeskChat.ts"
