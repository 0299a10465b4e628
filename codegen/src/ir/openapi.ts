/**
 * Normalise stage for OpenAPI: a validated document becomes the IR. This is the only module that
 * reads the `x-` extensions documented in codegen/README.md.
 */
import { SpecError, type LoadedOpenApi } from "../load/openapi.ts"
import { camelCase, isIdentifier, pascalCase, uniqueNames } from "./names.ts"
import type * as IR from "./types.ts"

// The document is walked as plain JSON: openapi-typescript's types describe it, but every node may
// carry extensions and `$ref`s, so a loose view keeps this module readable.
type Node = Record<string, any>

const httpMethods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

/** What a front end needs besides the document. */
export interface NormaliseOptions {
  /** The vendor package name, e.g. `helpscout`. */
  readonly vendor: string
}

const asArray = <A>(value: A | ReadonlyArray<A> | undefined): ReadonlyArray<A> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as A]

const path = (raw: string): IR.PathIR => raw.split(".")
const paths = (raw: string | ReadonlyArray<string> | undefined): ReadonlyArray<IR.PathIR> => asArray(raw).map(path)

const doc = (node: Node | undefined): IR.DocIR => ({
  ...(typeof node?.description === "string" ? { description: node.description.trim() } : {}),
  ...(typeof node?.["x-unconfirmed"] === "string" ? { unconfirmed: node["x-unconfirmed"].trim() } : {}),
  ...(node?.deprecated === true ? { deprecated: true } : {})
})

/** Builds the IR of an OpenAPI document. */
export const normaliseOpenApi = (loaded: LoadedOpenApi, options: NormaliseOptions): IR.ApiIR => {
  const document = loaded.document as unknown as Node
  const fail = (message: string): never => {
    throw new SpecError(`${loaded.path}: ${message}`)
  }

  const resolve = (node: Node): Node => {
    let current = node
    for (let depth = 0; typeof current?.$ref === "string"; depth++) {
      if (depth > 32) fail(`$ref cycle at ${node.$ref}`)
      const ref: string = current.$ref
      if (!ref.startsWith("#/")) fail(`only local $refs are supported: ${ref}`)
      let target: any = document
      for (const segment of ref.slice(2).split("/")) {
        target = target?.[segment.replace(/~1/g, "/").replace(/~0/g, "~")]
      }
      if (target === undefined) fail(`unresolved $ref ${ref}`)
      current = target
    }
    return current
  }

  const componentSchemas: Node = document.components?.schemas ?? {}
  const modelNames = uniqueNames(Object.keys(componentSchemas), pascalCase)
  const schemaRefPrefix = "#/components/schemas/"

  const checks = (node: Node): IR.ChecksIR => {
    const result: Record<string, number | string> = {}
    for (const key of ["minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems"] as const) {
      if (node[key] !== undefined) result[key] = node[key]
    }
    // OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum.
    if (typeof node.exclusiveMinimum === "number") result.exclusiveMinimum = node.exclusiveMinimum
    else if (node.exclusiveMinimum === true && typeof node.minimum === "number") {
      result.exclusiveMinimum = node.minimum
      delete result.minimum
    }
    if (typeof node.exclusiveMaximum === "number") result.exclusiveMaximum = node.exclusiveMaximum
    else if (node.exclusiveMaximum === true && typeof node.maximum === "number") {
      result.exclusiveMaximum = node.maximum
      delete result.maximum
    }
    return result
  }

  const objectMembers = (node: Node, seen: Set<Node>): Array<Node> | undefined => {
    const resolved = resolve(node)
    if (seen.has(resolved)) return undefined
    seen.add(resolved)
    if (Array.isArray(resolved.allOf)) {
      const nested: Array<Array<Node> | undefined> = resolved.allOf.map((member: Node) => objectMembers(member, seen))
      const own = resolved.properties !== undefined ? [resolved] : []
      const members: Array<Node> = []
      for (const found of nested) {
        if (found === undefined) return undefined
        members.push(...found)
      }
      return [...members, ...own]
    }
    const isObject = resolved.type === "object" || resolved.properties !== undefined ||
      (Array.isArray(resolved.type) && resolved.type.includes("object"))
    return isObject ? [resolved] : undefined
  }

  const schema = (raw: Node | undefined | boolean): IR.SchemaIR => {
    if (raw === undefined || raw === true) return { kind: "unknown" }
    if (raw === false) return { kind: "unknown" }
    if (typeof raw.$ref === "string") {
      if (raw.$ref.startsWith(schemaRefPrefix)) {
        const name = modelNames.get(raw.$ref.slice(schemaRefPrefix.length).replace(/~1/g, "/").replace(/~0/g, "~"))
        if (name === undefined) return fail(`unresolved $ref ${raw.$ref}`)
        return { kind: "ref", name }
      }
      return schema(resolve(raw))
    }
    const node = raw as Node
    const nullableByFlag = node.nullable === true
    const wrap = (inner: IR.SchemaIR): IR.SchemaIR =>
      nullableByFlag && inner.kind !== "nullable" && inner.kind !== "unknown" ? { kind: "nullable", inner } : inner

    if (node["x-redacted"] === true) return wrap({ kind: "redacted" })
    if (node.const !== undefined) return wrap({ kind: "literal", values: [node.const], open: false })
    if (Array.isArray(node.enum)) {
      const values = (node.enum as Array<string | number | boolean | null>).filter((value) => value !== null)
      const literal: IR.SchemaIR = { kind: "literal", values, open: node["x-open-enum"] === true }
      return node.enum.includes(null) || nullableByFlag ? { kind: "nullable", inner: literal } : literal
    }
    if (Array.isArray(node.allOf)) {
      if (node.allOf.length === 1 && node.properties === undefined) return wrap(schema(node.allOf[0]))
      const members = objectMembers(node, new Set())
      if (members === undefined) return wrap(schema(node.allOf[0]))
      return wrap(objectSchema(members))
    }
    const alternatives = node.oneOf ?? node.anyOf
    if (Array.isArray(alternatives)) {
      const nulls = alternatives.filter((member: Node) => resolve(member).type === "null")
      const members = alternatives.filter((member: Node) => resolve(member).type !== "null").map(schema)
      const union: IR.SchemaIR = members.length === 1
        ? members[0]!
        : {
          kind: "union",
          members,
          ...(typeof node.discriminator?.propertyName === "string" ? { discriminator: node.discriminator.propertyName } : {})
        }
      return nulls.length > 0 || nullableByFlag ? { kind: "nullable", inner: union } : union
    }
    const types: Array<string> = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]
    if (types.length > 1) {
      const nonNull = types.filter((type) => type !== "null")
      const inner = nonNull.length === 1
        ? schema({ ...node, type: nonNull[0] })
        : { kind: "union" as const, members: nonNull.map((type) => schema({ ...node, type })) }
      return types.includes("null") ? { kind: "nullable", inner } : inner
    }
    const type = types[0] ?? (node.properties !== undefined || node.additionalProperties !== undefined
      ? "object"
      : node.items !== undefined
      ? "array"
      : undefined)
    switch (type) {
      case "string":
        return wrap({ kind: "string", ...(typeof node.format === "string" ? { format: node.format } : {}), checks: checks(node) })
      case "integer":
      case "number":
        return wrap({ kind: "number", integer: type === "integer", checks: checks(node) })
      case "boolean":
        return wrap({ kind: "boolean" })
      case "null":
        return { kind: "null" }
      case "array":
        return wrap({ kind: "array", items: schema(node.items), checks: checks(node) })
      case "object":
        return wrap(objectSchema([node]))
      default:
        return { kind: "unknown" }
    }
  }

  const objectSchema = (members: ReadonlyArray<Node>): IR.SchemaIR => {
    const properties = new Map<string, IR.PropertyIR>()
    const required = new Set<string>(members.flatMap((member) => asArray<string>(member.required)))
    let additional: IR.SchemaIR | false = false
    let open = false
    for (const member of members) {
      for (const [name, property] of Object.entries<Node>(member.properties ?? {})) {
        const resolved = typeof property.$ref === "string" ? resolve(property) : property
        properties.set(name, {
          name,
          schema: schema(property),
          required: required.has(name),
          ...(resolved.readOnly === true || property.readOnly === true ? { readOnly: true } : {}),
          ...doc(typeof property.$ref === "string" ? { ...resolved, ...property } : property)
        })
      }
      if (member.additionalProperties !== undefined && member.additionalProperties !== false) {
        additional = schema(member.additionalProperties)
      }
      if (member.properties === undefined && member.additionalProperties === undefined) open = true
    }
    if (properties.size === 0 && additional === false && open) additional = { kind: "unknown" }
    return { kind: "object", properties: [...properties.values()], additional }
  }

  const models: Array<IR.ModelIR> = Object.entries<Node>(componentSchemas).map(([raw, node]) => ({
    name: modelNames.get(raw)!,
    specName: raw,
    schema: schema(node),
    ...doc(node)
  }))
  const modelByName = new Map(models.map((model) => [model.name, model]))

  /** The schema at a dotted path inside a page schema; used to type the items of a paginated list. */
  const schemaAt = (root: IR.SchemaIR, at: IR.PathIR, where: string): IR.SchemaIR => {
    let current = root
    for (const segment of at) {
      current = unwrap(current)
      if (current.kind === "union") {
        const found = current.members.map(unwrap).find((member) =>
          member.kind === "object" && member.properties.some((p) => p.name === segment)
        )
        if (found !== undefined) current = found
      }
      if (current.kind !== "object") return fail(`${where}: x-pagination.items: no object at "${segment}"`)
      const property = current.properties.find((p) => p.name === segment)
      if (property === undefined) {
        if (current.additional !== false) {
          current = current.additional
          continue
        }
        return fail(`${where}: x-pagination.items: no property "${segment}"`)
      }
      current = property.schema
    }
    current = unwrap(current)
    if (current.kind !== "array") return fail(`${where}: x-pagination.items does not point at an array`)
    return current.items
  }
  const unwrap = (node: IR.SchemaIR): IR.SchemaIR => {
    let current = node
    for (let depth = 0; depth < 64; depth++) {
      if (current.kind === "ref") current = modelByName.get(current.name)!.schema
      else if (current.kind === "nullable") current = current.inner
      else return current
    }
    return current
  }

  const server = (node: Node | undefined): IR.ServerIR => {
    const variables: Record<string, { default: string; enum?: Array<string>; description?: string }> = {}
    for (const [name, variable] of Object.entries<Node>(node?.variables ?? {})) {
      variables[name] = {
        default: String(variable.default),
        ...(Array.isArray(variable.enum) ? { enum: variable.enum.map(String) } : {}),
        ...(typeof variable.description === "string" ? { description: variable.description } : {})
      }
    }
    return {
      url: String(node?.url ?? "").replace(/\/$/, ""),
      ...(typeof node?.description === "string" ? { description: node.description } : {}),
      variables
    }
  }
  const rootServer = server(asArray<Node>(document.servers)[0])

  const parameter = (raw: Node, where: string, taken: Set<string>): IR.ParamIR => {
    const node = resolve(raw)
    const location = node.in as IR.ParamIR["in"]
    if (!["path", "query", "header", "cookie"].includes(location)) fail(`${where}: parameter ${node.name} has no valid "in"`)
    const wireName: string = node.name
    let name = location === "header" ? camelCase(wireName) : wireName.replace(/\[\]$/, "")
    if (!isIdentifier(name) && location !== "query") name = camelCase(name)
    if (taken.has(name)) name = `${name}${pascalCase(location)}`
    taken.add(name)
    const style: IR.ParamIR["style"] = node["x-style"] === "brackets"
      ? "brackets"
      : node.style ?? (location === "query" || location === "cookie" ? "form" : "simple")
    const parameterSchema = node.schema ?? resolve(node.content?.["application/json"] ?? {}).schema
    return {
      name,
      wireName,
      in: location,
      style,
      explode: typeof node.explode === "boolean" ? node.explode : style === "form",
      allowReserved: node.allowReserved === true,
      required: location === "path" || node.required === true,
      schema: schema(parameterSchema),
      ...doc(node)
    }
  }

  const contentOf = (content: Node | undefined): { type: string; media: Node } | undefined => {
    const entries = Object.entries<Node>(content ?? {})
    const rank = (type: string) =>
      /json/i.test(type) ? 0 : type === "application/x-www-form-urlencoded" ? 1 : type === "multipart/form-data" ? 2 : 3
    const sorted = [...entries].sort(([a], [b]) => rank(a) - rank(b))
    const first = sorted[0]
    return first === undefined ? undefined : { type: first[0], media: resolve(first[1]) }
  }

  const encodingOf = (type: string): IR.BodyIR["encoding"] =>
    /json/i.test(type)
      ? "json"
      : type === "application/x-www-form-urlencoded"
      ? "form"
      : type === "multipart/form-data"
      ? "multipart"
      : type.startsWith("text/")
      ? "text"
      : "binary"

  const responses = (node: Node | undefined, where: string): Array<IR.ResponseIR> =>
    Object.entries<Node>(node ?? {}).map(([status, raw]) => {
      const response = resolve(raw)
      const key: IR.ResponseIR["status"] = /^\d{3}$/.test(status)
        ? Number(status)
        : (status.toUpperCase() as IR.ResponseIR["status"])
      const description = typeof response.description === "string" ? response.description.trim() : undefined
      const idHeader = response["x-id-header"]
      if (typeof idHeader === "string") {
        const header = Object.entries<Node>(response.headers ?? {}).find(([name]) => name.toLowerCase() === idHeader.toLowerCase())
        if (header === undefined) fail(`${where}: x-id-header ${idHeader} is not among the response's headers`)
        const headerSchema = schema(resolve(header![1]).schema)
        return {
          status: key,
          ...(description === undefined ? {} : { description }),
          headers: { id: idHeader },
          schema: { kind: "object", properties: [{ name: "id", schema: headerSchema, required: true }], additional: false }
        }
      }
      const content = contentOf(response.content)
      return {
        status: key,
        ...(description === undefined ? {} : { description }),
        ...(content?.media.schema === undefined ? {} : { schema: schema(content.media.schema), contentType: content.type })
      }
    })

  const pagination = (raw: Node | undefined, responses: ReadonlyArray<IR.ResponseIR>, where: string): IR.PaginationIR | undefined => {
    if (raw === undefined) return undefined
    if (typeof raw.items !== "string") fail(`${where}: x-pagination needs "items"`)
    const page = responses.find((r) => typeof r.status === "number" && r.status >= 200 && r.status < 300 && r.schema !== undefined)
    if (page?.schema === undefined) return fail(`${where}: x-pagination on an operation without a success schema`)
    const items = path(raw.items)
    return {
      items,
      ...(raw.page === undefined ? {} : { page: { param: String(raw.page.param), start: Number(raw.page.start ?? 1) } }),
      ...(raw.offset === undefined ? {} : {
        offset: {
          param: String(raw.offset.param),
          limitParam: String(raw.offset.limitParam),
          limit: Number(raw.offset.limit)
        }
      }),
      ...(raw.nextLink === undefined ? {} : { nextLink: path(raw.nextLink) }),
      ...(raw.totalPages === undefined ? {} : { totalPages: path(raw.totalPages) }),
      ...(raw.currentPage === undefined ? {} : { currentPage: path(raw.currentPage) }),
      item: schemaAt(page.schema, items, where)
    }
  }

  const globalSecurity = asArray<Node>(document.security)
  const operations: Array<IR.OperationIR> = []
  const groupsSeen: Array<string> = []
  for (const [route, rawItem] of Object.entries<Node>(document.paths ?? {})) {
    const item = resolve(rawItem)
    for (const method of httpMethods) {
      const node: Node | undefined = item[method]
      if (node === undefined) continue
      const where = `${method.toUpperCase()} ${route}`
      if (typeof node.operationId !== "string") fail(`${where}: missing operationId`)
      const group: string = node.tags?.[0] ?? "default"
      if (!groupsSeen.includes(group)) groupsSeen.push(group)
      const taken = new Set<string>(["body"])
      const merged = new Map<string, Node>()
      for (const p of [...asArray<Node>(item.parameters), ...asArray<Node>(node.parameters)]) {
        const resolved = resolve(p)
        merged.set(`${resolved.in}:${resolved.name}`, p)
      }
      const params = [...merged.values()].map((p) => parameter(p, where, taken))
      const requestBody = node.requestBody === undefined ? undefined : resolve(node.requestBody)
      const content = contentOf(requestBody?.content)
      const body: IR.BodyIR | undefined = content === undefined ? undefined : {
        contentType: content.type,
        encoding: encodingOf(content.type),
        required: requestBody?.required === true,
        schema: schema(content.media.schema),
        source: { kind: "param" },
        ...doc(requestBody)
      }
      const operationResponses = responses(node.responses, where)
      const operationServer = asArray<Node>(node.servers)[0] ?? asArray<Node>(item.servers)[0]
      const base: IR.OperationIR = {
        id: node.operationId,
        group,
        method: method.toUpperCase() as IR.OperationIR["method"],
        path: route,
        ...(typeof node.summary === "string" ? { summary: node.summary.trim() } : {}),
        ...doc(node),
        ...(operationServer === undefined ? {} : { server: server(operationServer) }),
        params,
        ...(body === undefined ? {} : { body }),
        responses: operationResponses,
        ...(node["x-pagination"] === undefined ? {} : { pagination: pagination(node["x-pagination"], operationResponses, where) }),
        public: Array.isArray(node.security) ? node.security.length === 0 : globalSecurity.length === 0
      }
      operations.push(base)
      for (const variant of asArray<Node>(node["x-variants"])) {
        if (typeof variant.operationId !== "string") fail(`${where}: x-variants entry without operationId`)
        const variantTaken = new Set(params.map((p) => p.name))
        const fields = asArray<Node>(variant.params).map((input): IR.BodyFieldIR => {
          if (typeof input.name !== "string" || typeof input.field !== "string") {
            fail(`${where}: variant ${variant.operationId}: each param needs "name" and "field"`)
          }
          if (variantTaken.has(input.name)) fail(`${where}: variant ${variant.operationId}: param ${input.name} clashes`)
          variantTaken.add(input.name)
          return {
            param: input.name,
            path: path(input.field),
            required: input.required === true,
            schema: schema(input.schema),
            ...doc(input)
          }
        })
        operations.push({
          ...base,
          id: variant.operationId,
          ...(typeof variant.summary === "string" ? { summary: variant.summary.trim() } : {}),
          description: typeof variant.description === "string" ? variant.description.trim() : undefined,
          unconfirmed: typeof variant["x-unconfirmed"] === "string" ? variant["x-unconfirmed"] : base.unconfirmed,
          pagination: undefined,
          variantOf: base.id,
          body: {
            contentType: content?.type ?? "application/json",
            encoding: encodingOf(content?.type ?? "application/json"),
            required: true,
            schema: body?.schema ?? { kind: "unknown" },
            source: { kind: "fields", constant: (variant.body ?? {}) as Record<string, unknown>, fields }
          }
        })
      }
    }
  }
  const ids = new Set<string>()
  for (const operation of operations) {
    if (ids.has(operation.id)) fail(`duplicate operationId ${operation.id}`)
    ids.add(operation.id)
  }

  const tagDocs = new Map(asArray<Node>(document.tags).map((tag) => [String(tag.name), tag]))
  const orderedTags = [...asArray<Node>(document.tags).map((tag) => String(tag.name)).filter((tag) => groupsSeen.includes(tag))]
  for (const tag of groupsSeen) if (!orderedTags.includes(tag)) orderedTags.push(tag)
  const groupNames = uniqueNames(orderedTags, pascalCase)
  const groups: Array<IR.GroupIR> = orderedTags.map((tag) => ({
    tag,
    name: groupNames.get(tag)!,
    ...(typeof tagDocs.get(tag)?.description === "string" ? { description: tagDocs.get(tag)!.description.trim() } : {})
  }))

  const errorsNode: Node = document["x-errors"] ?? {}
  const fieldErrors: Node | undefined = errorsNode.fieldErrors
  const errors: IR.ErrorMappingIR = {
    message: errorsNode.message === undefined ? [["message"]] : paths(errorsNode.message),
    code: paths(errorsNode.code),
    correlationId: paths(errorsNode.correlationId),
    requestId: paths(errorsNode.requestId),
    requestIdHeaders: asArray<string>(errorsNode.requestIdHeaders),
    ...(fieldErrors === undefined ? {} : {
      fieldErrors: {
        at: path(String(fieldErrors.at)),
        path: paths(fieldErrors.path ?? "path"),
        message: paths(fieldErrors.message ?? "message"),
        code: paths(fieldErrors.code)
      }
    }),
    custom: Object.entries<Node>(errorsNode.custom ?? {}).map(([tag, entry]) => {
      if (!isIdentifier(tag)) fail(`x-errors.custom: ${tag} is not a valid class name`)
      if (typeof entry.status !== "number") fail(`x-errors.custom.${tag}: needs a numeric status`)
      return {
        tag,
        status: entry.status,
        retryable: entry.retryable !== false,
        ...(typeof entry.description === "string" ? { description: entry.description.trim() } : {})
      }
    })
  }

  const rateNode: Node | undefined = document["x-rate-limit"]
  const rateLimit: IR.RateLimitIR | undefined = rateNode === undefined ? undefined : {
    limit: Number(rateNode.limit),
    window: String(rateNode.window),
    algorithm: rateNode.algorithm === "fixed-window" ? "fixed-window" : "token-bucket",
    cost: Object.fromEntries(Object.entries(rateNode.cost ?? {}).map(([method, tokens]) => [method.toUpperCase(), Number(tokens)])),
    headers: rateNode.headers ?? {},
    ...doc(rateNode)
  }
  if (rateLimit !== undefined && (!(rateLimit.limit > 0) || rateLimit.window === "undefined")) {
    fail("x-rate-limit needs a positive limit and a window")
  }

  const security: Array<IR.SecurityIR> = Object.entries<Node>(document.components?.securitySchemes ?? {}).flatMap(
    ([name, raw]): Array<IR.SecurityIR> => {
      const scheme = resolve(raw)
      const description = typeof scheme.description === "string" ? scheme.description.trim() : undefined
      const described = description === undefined ? {} : { description }
      if (scheme.type === "oauth2") {
        const flows: Node = scheme.flows ?? {}
        const tokenUrl = flows.clientCredentials?.tokenUrl ?? flows.authorizationCode?.tokenUrl
        const authorizationUrl = flows.authorizationCode?.authorizationUrl
        return [{
          kind: "oauth2",
          name,
          ...described,
          ...(tokenUrl === undefined ? {} : { tokenUrl }),
          ...(authorizationUrl === undefined ? {} : { authorizationUrl }),
          flows: (["clientCredentials", "authorizationCode"] as const).filter((flow) => flows[flow] !== undefined),
          encoding: scheme["x-token-encoding"] === "json" ? "json" : "form"
        }]
      }
      if (scheme.type === "http" && String(scheme.scheme).toLowerCase() === "bearer") {
        return [{ kind: "bearer", name, ...described }]
      }
      if (scheme.type === "apiKey") {
        return [{ kind: "apiKey", name, ...described, in: scheme.in, paramName: scheme.name, computed: scheme["x-computed"] === true }]
      }
      return []
    }
  )

  const info: Node = document.info ?? {}
  const retryNode: Node | undefined = document["x-retry"]
  return {
    vendor: options.vendor,
    title: String(info.title ?? options.vendor),
    version: String(info.version ?? ""),
    ...doc(info),
    server: rootServer,
    errors,
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(retryNode === undefined ? {} : {
      retry: {
        ...(retryNode.times === undefined ? {} : { times: Number(retryNode.times) }),
        ...(retryNode.base === undefined ? {} : { base: String(retryNode.base) }),
        ...(retryNode.cap === undefined ? {} : { cap: String(retryNode.cap) })
      }
    }),
    warning: paths(document["x-response-warning"]),
    security,
    secretHeaders: [
      ...new Set(
        operations.flatMap((operation) =>
          operation.params.filter((p) => p.in === "header" && p.schema.kind === "redacted").map((p) => p.wireName)
        )
      )
    ].sort(),
    groups,
    models,
    operations
  }
}
