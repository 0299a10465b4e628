export * as HelpScout from "./generated/index.ts"
export { operations } from "./generated/operations.ts"
