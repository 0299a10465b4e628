/**
 * SchemaIR → Effect Schema source. Pure string building; the file emitters place the results.
 */
import { propertyKey } from "../ir/names.ts"
import type * as IR from "../ir/types.ts"
import { jsDoc } from "./docs.ts"

/** Where a schema is used; decides the wire codecs. */
export interface SchemaContext {
  /** Models whose references must be suspended (they are part of a reference cycle, or not yet defined). */
  readonly suspended: ReadonlySet<string>
  /** Referenced model names as they are imported in the current file. */
  readonly refName: (name: string) => string
  /** Query/path/header parameters: date-times accept a DateTime or a string. */
  readonly parameter?: boolean | undefined
  /** Values that arrive as header strings and must be parsed. */
  readonly fromHeader?: boolean | undefined
  /** Models referenced while emitting, for imports. */
  readonly used?: Set<string> | undefined
}

const checkCalls = (checks: IR.ChecksIR, kind: "string" | "number" | "array"): Array<string> => {
  const calls: Array<string> = []
  if (kind === "string" || kind === "array") {
    const min = kind === "string" ? checks.minLength : checks.minItems
    const max = kind === "string" ? checks.maxLength : checks.maxItems
    if (min !== undefined && min > 0) calls.push(`Schema.isMinLength(${min})`)
    if (max !== undefined) calls.push(`Schema.isMaxLength(${max})`)
  }
  if (kind === "string" && checks.pattern !== undefined) {
    // Spec patterns are ECMA-262 by definition; one that does not compile is dropped, not fatal.
    try {
      new RegExp(checks.pattern, "u")
      calls.push(`Schema.isPattern(new RegExp(${JSON.stringify(checks.pattern)}, "u"))`)
    } catch {
      // not a valid JavaScript pattern
    }
  }
  if (kind === "number") {
    if (checks.minimum !== undefined) calls.push(`Schema.isGreaterThanOrEqualTo(${checks.minimum})`)
    if (checks.maximum !== undefined) calls.push(`Schema.isLessThanOrEqualTo(${checks.maximum})`)
    if (checks.exclusiveMinimum !== undefined) calls.push(`Schema.isGreaterThan(${checks.exclusiveMinimum})`)
    if (checks.exclusiveMaximum !== undefined) calls.push(`Schema.isLessThan(${checks.exclusiveMaximum})`)
  }
  return calls
}

const withChecks = (base: string, calls: ReadonlyArray<string>) =>
  calls.length === 0 ? base : `${base}.check(${calls.join(", ")})`

const literal = (value: string | number | boolean) => JSON.stringify(value)

/** The Effect Schema expression of a schema. */
export const schemaExpression = (node: IR.SchemaIR, context: SchemaContext): string => {
  switch (node.kind) {
    case "ref": {
      context.used?.add(node.name)
      const name = context.refName(node.name)
      return context.suspended.has(node.name) ? `Schema.suspend((): Schema.Codec<unknown> => ${name})` : name
    }
    case "string":
      if (node.format === "date-time" && !context.fromHeader) {
        return context.parameter ? "Codecs.DateTimeInput" : "Codecs.DateTimeString"
      }
      return withChecks("Schema.String", checkCalls(node.checks, "string"))
    case "number": {
      const calls = checkCalls(node.checks, "number")
      if (context.fromHeader) {
        return withChecks("Schema.FiniteFromString", node.integer ? ["Schema.isInt()", ...calls] : calls)
      }
      return withChecks(node.integer ? "Schema.Int" : "Schema.Number", calls)
    }
    case "boolean":
      return context.fromHeader ? "Schema.BooleanFromString" : "Schema.Boolean"
    case "null":
      return "Schema.Null"
    case "unknown":
      return "Schema.Unknown"
    case "redacted":
      return "Schema.RedactedFromValue(Schema.String)"
    case "literal": {
      const values = node.values.length === 1
        ? `Schema.Literal(${literal(node.values[0]!)})`
        : `Schema.Literals([${node.values.map(literal).join(", ")}])`
      if (!node.open) return values
      const base = typeof node.values[0] === "number" ? "Schema.Number" : "Schema.String"
      return `Schema.Union([${values}, ${base}])`
    }
    case "array":
      return withChecks(`Schema.Array(${schemaExpression(node.items, context)})`, checkCalls(node.checks, "array"))
    case "object":
      return objectExpression(node, context)
    case "union":
      return `Schema.Union([${node.members.map((member) => schemaExpression(member, context)).join(", ")}])`
    case "nullable":
      return `Schema.NullOr(${schemaExpression(node.inner, context)})`
  }
}

/** A struct's fields, each with its JSDoc. */
export const structFields = (
  properties: ReadonlyArray<IR.PropertyIR>,
  context: SchemaContext,
  indent = "  "
): string => {
  if (properties.length === 0) return "{}"
  const lines = properties.map((property) => {
    const value = schemaExpression(property.schema, context)
    const docText = jsDoc(property, indent)
    const field = property.readOnly === true
      ? `Codecs.${property.required ? "readOnlyRequired" : "readOnly"}(${value})`
      : property.required
      ? value
      : `Schema.optionalKey(${value})`
    return `${docText}${indent}${propertyKey(property.name)}: ${field}`
  })
  return `{\n${lines.join(",\n")}\n${indent.slice(2)}}`
}

const objectExpression = (node: Extract<IR.SchemaIR, { kind: "object" }>, context: SchemaContext): string => {
  if (node.properties.length === 0) {
    return node.additional === false
      ? "Schema.Struct({})"
      : `Schema.Record(Schema.String, ${schemaExpression(node.additional, context)})`
  }
  const struct = `Schema.Struct(${structFields(node.properties, context)})`
  return node.additional === false
    ? struct
    : `Schema.StructWithRest(${struct}, [Schema.Record(Schema.String, ${schemaExpression(node.additional, context)})])`
}

/** The model names a schema refers to directly. */
export const references = (node: IR.SchemaIR, into: Set<string> = new Set()): Set<string> => {
  switch (node.kind) {
    case "ref":
      into.add(node.name)
      break
    case "array":
      references(node.items, into)
      break
    case "object":
      for (const property of node.properties) references(property.schema, into)
      if (node.additional !== false) references(node.additional, into)
      break
    case "union":
      for (const member of node.members) references(member, into)
      break
    case "nullable":
      references(node.inner, into)
      break
  }
  return into
}
