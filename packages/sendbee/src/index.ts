export * as Sendbee from "./generated/index.ts"
export { operations } from "./generated/operations.ts"
