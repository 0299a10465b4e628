/**
 * Wire codecs the generated Schemas share.
 *
 * @since 0.1.0
 */
import { DateTime, Option, Schema, SchemaGetter } from "effect"

/** ISO-8601 UTC without milliseconds when they are zero: `2017-05-06T04:04:23Z`, as vendors expect. */
export const formatDateTime = (value: DateTime.DateTime): string =>
  DateTime.formatIso(DateTime.toUtc(value)).replace(/\.000Z$/, "Z")

/** A `format: date-time` string, decoded to `DateTime.Utc`. */
export const DateTimeString = Schema.String.pipe(
  Schema.decodeTo(Schema.DateTimeUtc, {
    decode: SchemaGetter.dateTimeUtcFromInput<string>(),
    encode: SchemaGetter.transform(formatDateTime)
  })
)
export type DateTimeString = typeof DateTimeString.Type

/** A date-time parameter: callers pass a `DateTime` or an already formatted string. */
export const DateTimeInput = Schema.String.pipe(
  Schema.decodeTo(Schema.Union([Schema.DateTimeUtc, Schema.String]), {
    decode: SchemaGetter.transform((input: string) => input),
    encode: SchemaGetter.transform((value: DateTime.Utc | string) =>
      typeof value === "string" ? value : formatDateTime(value)
    )
  })
)
export type DateTimeInput = typeof DateTimeInput.Type

/** A number sent as a header string, e.g. Help Scout's `Resource-ID`. */
export const NumberFromHeader = Schema.FiniteFromString

/**
 * A `readOnly` property: decoded from responses, never sent in requests (OpenAPI: it "SHOULD NOT be
 * sent"). Optional on the wire; optional in the decoded type too.
 */
export const readOnly = <S extends Schema.Top>(schema: S) =>
  Schema.optionalKey(schema).pipe(
    Schema.decodeTo(Schema.optionalKey(Schema.toType(schema)), {
      decode: SchemaGetter.passthrough(),
      encode: SchemaGetter.transformOptional(() => Option.none())
    })
  )

/**
 * A required `readOnly` property: every response has it and the decoded type requires it (so a
 * union can still discriminate on it), but it is never sent.
 */
export const readOnlyRequired = <S extends Schema.Top>(schema: S) =>
  Schema.optionalKey(schema).pipe(
    Schema.decodeTo(Schema.toType(schema), {
      decode: SchemaGetter.transformOptional((value) => value),
      encode: SchemaGetter.transformOptional(() => Option.none())
    })
  )
