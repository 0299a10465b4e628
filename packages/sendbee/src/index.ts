/**
 * @vendor-sdk/sendbee
 *
 * @since 0.1.0
 */
export * as Sendbee from "./Sendbee.ts"
export { operations } from "./generated/operations.ts"
