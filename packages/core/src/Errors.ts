/**
 * The typed failures of every generated operation.
 *
 * Each error names the vendor and the operation it came from, so a program that talks to several
 * vendors can still tell them apart. Catch them by tag:
 *
 * ```ts
 * program.pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
 * ```
 *
 * @since 0.1.0
 */
import { Schema, SchemaIssue } from "effect"

const Origin = {
  /** The vendor package that made the call, e.g. `helpscout`. */
  vendor: Schema.String,
  /** The operationId from the vendor's spec. */
  operationId: Schema.String
}

/** The fields of every error built from an HTTP response; vendor-declared errors use them too. */
export const responseFields = {
  ...Origin,
  status: Schema.Number,
  message: Schema.String,
  /** The vendor's request id, when it sends one (header or body). */
  requestId: Schema.optional(Schema.String),
  /** The vendor's correlation id to quote to its support (Help Scout `logRef`). */
  correlationId: Schema.optional(Schema.String),
  /** The vendor's own error code or type, when it sends one. */
  code: Schema.optional(Schema.String),
  /** The decoded error body as the vendor sent it. */
  body: Schema.optional(Schema.Unknown)
}

/**
 * A parameter or the request body did not match its Schema, so nothing was sent.
 *
 * `parameter` is the top-level input (`conversationId`, `body`, …) and `path` the location inside it.
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  ...Origin,
  parameter: Schema.String,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
}) {}

/** One rejected field of a {@link ValidationError}. */
export const FieldError = Schema.Struct({
  /** Where the vendor says the problem is (`country`, `[0].name`, …). */
  path: Schema.String,
  message: Schema.String,
  code: Schema.optional(Schema.String)
})
export type FieldError = typeof FieldError.Type

/** The vendor rejected the request content (usually HTTP 400 or 422). */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  ...responseFields,
  fieldErrors: Schema.Array(FieldError)
}) {}

/** The credentials were missing, wrong or expired, and a refresh did not help. */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>()("AuthenticationError", responseFields) {}

/** The credentials are valid but may not do this (HTTP 403). */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", responseFields) {}

/** HTTP 404. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", responseFields) {}

/** HTTP 409 or 412: the resource changed underneath the request. */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", responseFields) {}

/** HTTP 429 that outlasted the retry policy. `retryAfter` is what the vendor asked us to wait. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...responseFields,
  retryAfter: Schema.optional(Schema.Duration)
}) {}

/** HTTP 5xx that outlasted the retry policy. */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", responseFields) {}

/** Any other non-success status the spec does not describe. */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>()("UnexpectedStatus", responseFields) {}

/**
 * The response did not match the spec. `schemaPath` points at the offending value inside the body.
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  ...Origin,
  status: Schema.Number,
  schemaPath: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String,
  body: Schema.optional(Schema.Unknown)
}) {}

/**
 * The request never produced a response: connection refused or reset, timeout, body read failure.
 * `reachedServer` is false only when the request provably never left this process or was refused.
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...Origin,
  message: Schema.String,
  reachedServer: Schema.Boolean,
  cause: Schema.optional(Schema.Defect())
}) {}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The first problem a Schema found: its message and the path to the offending value. Used for
 * `InvalidRequest`, `DecodeError` and the webhook payload errors of the vendor packages.
 */
export const firstIssue = (
  error: Schema.SchemaError
): { readonly path: ReadonlyArray<string | number>; readonly message: string } => {
  const issue = formatter(error.issue).issues[0]
  return {
    path: (issue?.path ?? []).map((key) => (typeof key === "number" ? key : String(key))),
    message: issue?.message ?? error.message
  }
}

/** Every failure a generated REST operation can produce, apart from vendor-specific errors. */
export type VendorError =
  | InvalidRequest
  | ValidationError
  | AuthenticationError
  | PermissionDenied
  | NotFound
  | Conflict
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | DecodeError
  | TransportError
