/**
 * The reverse of core's request encoding: from what arrived on the wire back to an operation's params,
 * so the mock validates requests with the very Schemas the client encodes them with.
 *
 * @since 0.1.0
 */
import { SchemaAST } from "effect"
import { Encoding, type Operation } from "@vendor-sdk/core"
import type { RecordedRequest } from "./Server.ts"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** PHP-style query parsing: `a[b][]=1&a[c]=2` → `{ a: { b: ["1"], c: "2" } }`; repeated plain keys collect. */
export const parseQuery = (pairs: ReadonlyArray<readonly [string, string]>): Record<string, unknown> => {
  const root: Record<string, unknown> = {}
  for (const [key, value] of pairs) {
    const match = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(key)
    if (match === null) continue
    const segments = [match[1]!, ...[...match[2]!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!)]
    let cursor: Record<string, unknown> | Array<unknown> = root
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!
      const last = i === segments.length - 1
      const container = cursor as Record<string, unknown>
      if (last) {
        if (segment === "" && Array.isArray(cursor)) cursor.push(value)
        else if (container[segment] === undefined) container[segment] = value
        else if (Array.isArray(container[segment])) (container[segment] as Array<unknown>).push(value)
        else container[segment] = [container[segment], value]
        break
      }
      const nextIsArray = segments[i + 1] === ""
      if (segment === "" && Array.isArray(cursor)) {
        const created: Record<string, unknown> = {}
        cursor.push(created)
        cursor = created
        continue
      }
      if (container[segment] === undefined || typeof container[segment] !== "object") {
        container[segment] = nextIsArray ? [] : {}
      }
      cursor = container[segment] as Record<string, unknown>
    }
  }
  return root
}

/** Turns wire strings into what the encoded side of a schema expects: numbers, booleans, arrays. */
export const coerce = (ast: SchemaAST.AST, value: unknown, delimiter = ","): unknown => {
  switch (ast._tag) {
    case "Suspend":
      return coerce(ast.thunk(), value, delimiter)
    case "Number":
      return typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value
    case "Boolean":
      return value === "true" || value === "1" ? true : value === "false" || value === "0" ? false : value
    case "Literal":
      return typeof ast.literal === "number" && typeof value === "string" && value !== "" ? Number(value) : value
    case "Arrays": {
      const item = ast.rest[0] ?? ast.elements[0]
      // PHP-style indexed keys (`a[0]=x`) arrive as an object.
      const items = typeof value === "string"
        ? (value === "" ? [] : value.split(delimiter))
        : isRecord(value)
        ? Object.values(value)
        : value
      if (!Array.isArray(items)) return value
      return items.map((v, i) => {
        const element = ast.elements[i] ?? item
        return element === undefined ? v : coerce(element, v)
      })
    }
    case "Objects": {
      if (!isRecord(value)) return value
      const out: Record<string, unknown> = { ...value }
      for (const property of ast.propertySignatures) {
        const key = String(property.name)
        if (out[key] !== undefined) out[key] = coerce(property.type, out[key], delimiter)
      }
      const index = ast.indexSignatures[0]
      if (index !== undefined) {
        const declared = new Set(ast.propertySignatures.map((p) => String(p.name)))
        for (const key of Object.keys(out)) if (!declared.has(key)) out[key] = coerce(index.type, out[key], delimiter)
      }
      return out
    }
    case "Union": {
      if (value === "null" && ast.types.some((member) => member._tag === "Null")) return null
      for (const member of ast.types) {
        const coerced = coerce(member, value, delimiter)
        if (coerced !== value) return coerced
      }
      return value
    }
    default:
      return value
  }
}

/** The encoded-side AST of each field of an operation's params. */
const fieldAsts = new WeakMap<Operation.Any, Map<string, SchemaAST.AST>>()
export const fieldAst = (op: Operation.Any, name: string): SchemaAST.AST | undefined => {
  let fields = fieldAsts.get(op)
  if (fields === undefined) {
    fields = new Map()
    const ast = SchemaAST.toEncoded(op.params.ast)
    if (ast._tag === "Objects") for (const p of ast.propertySignatures) fields.set(String(p.name), p.type)
    fieldAsts.set(op, fields)
  }
  return fields.get(name)
}

const getPath = (value: unknown, path: ReadonlyArray<string>): unknown => {
  let current = value
  for (const segment of path) current = isRecord(current) ? current[segment] : undefined
  return current
}

/** Whether a request body carries a variant's constant part. */
export const matchesConstant = (constant: unknown, body: unknown): boolean => {
  if (!isRecord(constant)) return constant === body
  if (!isRecord(body)) return false
  return Object.entries(constant).every(([key, value]) => matchesConstant(value, body[key]))
}

/** The params object an operation's Schema decodes, rebuilt from a request. */
export const requestParams = (
  op: Operation.Any,
  request: RecordedRequest,
  pathValues: Readonly<Record<string, string>>
): Record<string, unknown> => {
  const params: Record<string, unknown> = {}
  const query = parseQuery(request.query)
  for (const parameter of op.parameters) {
    const ast = fieldAst(op, parameter.name)
    const delimiter = Encoding.delimiters[parameter.style]
    let raw: unknown
    switch (parameter.in) {
      case "path":
        raw = pathValues[parameter.wireName]
        break
      case "query": {
        const values = request.query.filter(([key]) => key === parameter.wireName || key === `${parameter.wireName}[]`)
          .map(([, value]) => value)
        if (parameter.style === "deepObject" || parameter.style === "brackets") raw = query[parameter.wireName]
        else if (values.length > 1 || (values.length === 1 && ast?._tag === "Arrays" && parameter.explode)) raw = values
        else raw = values[0]
        break
      }
      case "header":
        raw = request.headers[parameter.wireName.toLowerCase()]
        break
      case "cookie": {
        const cookie = request.headers["cookie"] ?? ""
        raw = cookie.split(/;\s*/).map((part) => part.split("=")).find(([name]) => name === parameter.wireName)?.[1]
        break
      }
    }
    if (raw !== undefined) params[parameter.name] = ast === undefined ? raw : coerce(ast, raw, delimiter)
  }
  const body = op.body
  if (body !== undefined && request.body !== undefined) {
    if (body.source._tag === "Param") {
      const ast = fieldAst(op, body.source.name)
      params[body.source.name] = body.encoding === "form" && ast !== undefined
        ? coerce(ast, parseQuery([...new URLSearchParams(request.text).entries()]))
        : request.body
    } else {
      for (const field of body.source.fields) {
        const value = getPath(request.body, field.path)
        if (value !== undefined) params[field.param] = value
      }
    }
  }
  return params
}
