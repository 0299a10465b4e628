/**
 * @vendor-sdk/helpscout
 *
 * @since 0.1.0
 */
export * as HelpScout from "./HelpScout.ts"
export { operations } from "./generated/operations.ts"
