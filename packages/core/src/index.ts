/**
 * @vendor-sdk/core: the runtime the generated vendor clients call.
 *
 * - where a request is built: {@link Operation.buildRequest}
 * - where auth is added: {@link Auth}, {@link OAuth2}, inside {@link Client.make}
 * - where a response is decoded: {@link Operation.decodeResponse}
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.ts"
export * as Batch from "./Batch.ts"
export * as Client from "./Client.ts"
export * as Codecs from "./Codecs.ts"
export * as Encoding from "./Encoding.ts"
export * as Errors from "./Errors.ts"
export * as Jwt from "./Jwt.ts"
export * as OAuth2 from "./OAuth2.ts"
export * as Operation from "./Operation.ts"
export * as Pagination from "./Pagination.ts"
export * as RateLimit from "./RateLimit.ts"
export * as Retry from "./Retry.ts"
export * as Signature from "./Signature.ts"
export * as Testing from "./Testing.ts"
export * as TokenStore from "./TokenStore.ts"
export * as Vendor from "./Vendor.ts"
