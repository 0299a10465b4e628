/**
 * @vendor-sdk/mock: loopback mock vendors built from the generated operation registries.
 *
 * @since 0.1.0
 */
export * as Mock from "./Mock.ts"
export * as RedisServer from "./RedisServer.ts"
export * as Reference from "./Reference.ts"
export * as Server from "./Server.ts"
export * as State from "./State.ts"
export * as Wire from "./Wire.ts"
export * as Testing from "./Testing.ts"
