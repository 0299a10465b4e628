/**
 * @vendor-sdk/amocrm
 *
 * @since 0.1.0
 */
export * as AmoCRM from "./AmoCRM.ts"
export { operations } from "./generated/operations.ts"
