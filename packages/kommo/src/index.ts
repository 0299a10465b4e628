/**
 * @vendor-sdk/kommo
 *
 * @since 0.1.0
 */
export * as Kommo from "./Kommo.ts"
export { operations } from "./generated/operations.ts"
