/**
 * GraphQL IR → the generated files of a GraphQL vendor package:
 *
 * - `vendor.ts`: endpoints, one error class per vendor error name with its retry rule, and the
 *   `Errors` middleware key that turns those names into the classes;
 * - `schemas.ts`: the enums and input objects the operations use;
 * - one file per group: each operation as `GraphQL.query` / `mutation` / `subscription` with its
 *   variables and result Schemas, derived from the SDL and the selection set;
 * - `<Service>.ts`: the `GraphQLGroup`s and the client service with `layerTest` and one stream per
 *   Relay-paginated query;
 * - `operations.ts`: the registry of every operationId, GraphQL or protocol action;
 * - `sdl.ts`: the schema text, for mocks that execute the documents.
 */
import { isIdentifier, pascalCase, propertyKey, reserved } from "../ir/names.ts"
import type * as IR from "../ir/types.ts"
import { jsDoc } from "./docs.ts"
import { literal } from "./literal.ts"
import { createProject, emitFile, type Files } from "./project.ts"

/** Where a package's generated files go. */
export interface GraphQLPackageTarget {
  /** The spec path relative to the repository root, for headers. */
  readonly source: string
  readonly packageDir: string
}

const js = (value: unknown): string => JSON.stringify(value)


const importLine = (module: string, names: Iterable<string>, typeOnly = false): string => {
  const sorted = [...new Set(names)].sort()
  return `import ${typeOnly ? "type " : ""}{ ${sorted.join(", ")} } from ${js(module)}`
}

const nonNull = (type: IR.GraphQLTypeIR): IR.GraphQLTypeIR => type.kind === "nullable" ? type.inner : type

interface Names {
  readonly service: string
  readonly model: (name: string) => string
  readonly group: (tag: string) => string
  readonly variables: (id: string) => string
  readonly result: (id: string) => string
  readonly item: (id: string) => string
  readonly stream: (id: string) => string
}

const packageNames = (api: IR.GraphQLApiIR): Names => {
  const service = pascalCase(api.vendor)
  const taken = new Set<string>([
    service,
    "vendor",
    "DeclaredError",
    "declaredErrors",
    "Errors",
    "errorFields",
    "group",
    "httpGroup",
    "operations",
    "sdl",
    ...reserved,
    ...api.errors.map((error) => error.tag),
    ...api.operations.map((operation) => operation.id)
  ])
  for (const operation of api.operations) {
    if (!isIdentifier(operation.id)) throw new Error(`operationId ${operation.id} is not an identifier`)
  }
  const claim = (wanted: string) => {
    let name = wanted
    for (let n = 2; taken.has(name); n++) name = `${wanted}${n}`
    taken.add(name)
    return name
  }
  const models = new Map([...api.enums, ...api.inputs].map((model) => [model.name, claim(model.name)]))
  const groups = new Map(api.groups.map((group) => [group.tag, claim(group.name)]))
  const perOperation = new Map(api.operations.map((operation) => {
    const type = pascalCase(operation.id)
    return [operation.id, {
      variables: claim(`${type}Variables`),
      result: claim(`${type}Result`),
      item: claim(`${type}Item`)
    }]
  }))
  return {
    service,
    model: (name) => models.get(name)!,
    group: (tag) => groups.get(tag)!,
    variables: (id) => perOperation.get(id)!.variables,
    result: (id) => perOperation.get(id)!.result,
    item: (id) => perOperation.get(id)!.item,
    stream: (id) => `${id}Stream`
  }
}

// -----------------------------------------------------------------------------
// Schemas
// -----------------------------------------------------------------------------

interface SchemaContext {
  readonly names: Names
  /** Models referenced, for imports. */
  readonly used: Set<string>
  /** Selections emitted as named constants of their own. */
  readonly named?: ReadonlyMap<IR.SelectionIR, string> | undefined
}

const scalarSchema = (type: Extract<IR.GraphQLTypeIR, { kind: "scalar" }>) => {
  switch (type.scalar) {
    case "ID":
    case "String":
      return "Schema.String"
    case "Int":
      return "Schema.Int"
    case "Float":
      return "Schema.Number"
    case "Boolean":
      return "Schema.Boolean"
    case "custom":
      // A custom scalar's wire form is not in the SDL: keep it as the JSON it arrives as.
      return "Schema.Json"
  }
}

/** The Schema of an input type: enums are strict. */
const inputSchema = (type: IR.GraphQLTypeIR, context: SchemaContext): string => {
  switch (type.kind) {
    case "scalar":
      return scalarSchema(type)
    case "enum":
    case "input": {
      const name = context.names.model(type.name)
      context.used.add(name)
      return name
    }
    case "list":
      return `Schema.Array(${inputSchema(type.items, context)})`
    case "nullable":
      return `Schema.NullOr(${inputSchema(type.inner, context)})`
    case "selection":
    case "typename":
      throw new Error("a selection in an input position")
  }
}

/** Struct fields of variables or an input object: an optional field may be left out or null. */
const inputFields = (fields: ReadonlyArray<IR.GraphQLInputFieldIR>, context: SchemaContext, indent: string): string =>
  fields.map((field) =>
    `${jsDoc(field, indent)}${indent}${propertyKey(field.name)}: ${
      field.required
        ? inputSchema(nonNull(field.type), context)
        : `Schema.optional(Schema.NullOr(${inputSchema(nonNull(field.type), context)}))`
    }`
  ).join(",\n")

/** The Schema of a result type: enums accept values the server adds later. */
const outputSchema = (type: IR.GraphQLTypeIR, context: SchemaContext, indent: string): string => {
  switch (type.kind) {
    case "scalar":
      return scalarSchema(type)
    case "enum": {
      const name = context.names.model(type.name)
      context.used.add(name)
      return `GraphQL.enumLiterals(${name}.literals)`
    }
    case "list":
      return `Schema.Array(${outputSchema(type.items, context, indent)})`
    case "nullable":
      return `Schema.NullOr(${outputSchema(type.inner, context, indent)})`
    case "selection":
      return selectionSchema(type.selection, context, indent)
    case "input":
    case "typename":
      throw new Error(`a ${type.kind} in a result position`)
  }
}

const objectSchema = (
  selection: IR.ObjectSelectionIR,
  typename: string,
  context: SchemaContext,
  indent: string
): string => {
  const inner = `${indent}  `
  const fields = selection.fields.map((field) =>
    `${jsDoc(field, inner)}${inner}${propertyKey(field.key)}: ${
      field.type.kind === "typename" ? typename : outputSchema(field.type, context, inner)
    }`
  )
  return `Schema.Struct({\n${fields.join(",\n")}\n${indent}})`
}

const selectionSchema = (selection: IR.SelectionIR, context: SchemaContext, indent: string): string => {
  const named = context.named?.get(selection)
  if (named !== undefined) return named
  if (selection.kind === "object") return objectSchema(selection, `Schema.Literal(${js(selection.typename)})`, context, indent)
  const own = selection.members.map((member) => member.typename)
  const all = selection.possible.map((name) => js(name)).join(" | ")
  const other = objectSchema(
    selection.other,
    `GraphQL.otherTypename<${all === "" ? "string" : all}>()([${own.map(js).join(", ")}])`,
    context,
    `${indent}  `
  )
  if (selection.members.length === 0) return other
  const members = selection.members.map((member) =>
    objectSchema(member, `Schema.Literal(${js(member.typename)})`, context, `${indent}  `)
  )
  return `Schema.Union([\n${indent}  ${[...members, other].join(`,\n${indent}  `)}\n${indent}])`
}

// -----------------------------------------------------------------------------
// vendor.ts
// -----------------------------------------------------------------------------

const retryText = (retry: IR.ProtocolErrorIR["retry"]) =>
  retry.kind === "never"
    ? "Never retried."
    : retry.kind === "backoff"
    ? "Retried with exponential backoff."
    : `Retried at most ${retry.times} times, with exponential backoff, within ${retry.within}.`

const retryLiteral = (retry: IR.ProtocolErrorIR["retry"]) =>
  retry.kind === "limited"
    ? literal({ _tag: "Limited", times: retry.times, within: retry.within })
    : literal({ _tag: retry.kind === "never" ? "Never" : "Backoff" })

const emitVendor = (api: IR.GraphQLApiIR, source: string): string => {
  const statements: Array<string> = [
    `import { Schema } from "effect"`,
    `import { GraphQLMiddleware } from "effect/graphql"`,
    `/** The ${api.title}: where it is served. */\n` +
    `export const vendor = {\nname: ${js(api.vendor)},\ntitle: ${js(api.title)},\nendpoints: ${
      literal(api.endpoints)
    }\n} as const`,
    `/** The fields of every error the vendor names in a GraphQL \`errors\` entry. */\nconst errorFields = {\n` +
    `/** The operation that failed. */\noperation: Schema.String,\n` +
    `/** The vendor's error name, e.g. \`RATE_LIMITED\`. */\ncode: Schema.String,\n` +
    `message: Schema.String,\n` +
    `/** The error's unique id: quote it to the vendor's support. */\nuuid: Schema.optional(Schema.String),\n` +
    `/** The HTTP status the answer carried, when it carried one. */\nstatus: Schema.optional(Schema.Number),\n` +
    `/** Every GraphQL error of the answer, as sent. */\nerrors: Schema.Array(Schema.Unknown)\n}`
  ]
  for (const error of api.errors) {
    statements.push(
      `${jsDoc({ description: `\`${error.name}\`: ${error.description ?? "an error of the vendor."}` }, "", [retryText(error.retry)])}` +
        `export class ${error.tag} extends Schema.TaggedError<${error.tag}>()(${js(error.tag)}, errorFields) {}`
    )
  }
  statements.push(
    `/** Every error the ${api.title} names. */\nexport type DeclaredError = ${
      api.errors.length === 0 ? "never" : api.errors.map((error) => error.tag).join(" | ")
    }`,
    `/** Each error name, its class and its retry rule. */\nexport const declaredErrors = {\n${
      api.errors.map((error) => `${propertyKey(error.name)}: { error: ${error.tag}, retry: ${retryLiteral(error.retry)} }`).join(
        ",\n"
      )
    }\n} as const`,
    `/**\n * The middleware every operation of the ${api.title} runs through: it turns the error names of\n` +
      ` * \`declaredErrors\` into their classes and applies their retry rules. The package provides it.\n */\n` +
      `export class Errors extends GraphQLMiddleware.Service<Errors, { error: DeclaredError }>()(${
        js(`@vendor-sdk/${api.vendor}/Errors`)
      }) {}`
  )
  return emitFile(createProject(), "/vendor.ts", source, statements)
}

// -----------------------------------------------------------------------------
// schemas.ts
// -----------------------------------------------------------------------------

const enumDoc = (model: IR.GraphQLEnumIR) =>
  jsDoc(model, "", [
    model.values.map((value) =>
      `- \`${value.value}\`${value.description === undefined ? "" : `: ${value.description}`}${
        value.unconfirmed === undefined ? "" : ` (unconfirmed: ${value.unconfirmed})`
      }`
    ).join("\n")
  ])

const emitSchemas = (api: IR.GraphQLApiIR, names: Names, source: string): string => {
  const statements: Array<string> = [`import { Schema } from "effect"`]
  for (const model of api.enums) {
    const name = names.model(model.name)
    statements.push(
      `${enumDoc(model)}export const ${name} = Schema.Literals([${model.values.map((value) => js(value.value)).join(", ")}])`,
      `export type ${name} = typeof ${name}.Type`
    )
  }
  // Inputs after the inputs they use.
  const byName = new Map(api.inputs.map((input) => [input.name, input]))
  const placed = new Set<string>()
  const visiting: Array<string> = []
  const referenced = (type: IR.GraphQLTypeIR): Array<string> =>
    type.kind === "input" ? [type.name] : type.kind === "list" ? referenced(type.items) : type.kind === "nullable"
    ? referenced(type.inner)
    : []
  const place = (input: IR.GraphQLInputObjectIR) => {
    if (placed.has(input.name)) return
    if (visiting.includes(input.name)) {
      throw new Error(`input objects that refer to themselves are not supported: ${[...visiting, input.name].join(" → ")}`)
    }
    visiting.push(input.name)
    for (const field of input.fields) for (const dep of referenced(field.type)) place(byName.get(dep)!)
    visiting.pop()
    placed.add(input.name)
    const name = names.model(input.name)
    statements.push(
      `${jsDoc(input)}export const ${name} = Schema.Struct({\n${inputFields(input.fields, { names, used: new Set() }, "  ")}\n})`,
      `export type ${name} = typeof ${name}.Type`
    )
  }
  for (const input of api.inputs) place(input)
  return emitFile(createProject(), "/schemas.ts", source, statements)
}

// -----------------------------------------------------------------------------
// <Group>.ts
// -----------------------------------------------------------------------------

const transportText = (api: IR.GraphQLApiIR, operation: IR.GraphQLOperationIR) =>
  `\`${operation.kind} ${operation.id}\` (\`${operation.rootField}\`), ${
    operation.transport === "http" ? `sent by HTTP POST to ${api.endpoints.http}` : "sent over the session's WebSocket"
  }.`

const emitGroup = (api: IR.GraphQLApiIR, names: Names, group: IR.GroupIR, source: string): string => {
  const used = new Set<string>()
  const statements: Array<string> = []
  for (const operation of api.operations.filter((o) => o.group === group.tag)) {
    const context: SchemaContext = { names, used }
    const resultName = names.result(operation.id)
    const variablesName = names.variables(operation.id)
    let named: ReadonlyMap<IR.SelectionIR, string> | undefined
    if (operation.pagination !== undefined) {
      const item = names.item(operation.id)
      statements.push(
        `/** One item of {@link ${operation.id}}, as its stream yields them. */\nexport const ${item} = ${
          selectionSchema(operation.pagination.item, context, "")
        }`,
        `export type ${item} = typeof ${item}.Type`
      )
      named = new Map([[operation.pagination.item, item]])
    }
    if (operation.variables.length > 0) {
      statements.push(
        `/** The variables of {@link ${operation.id}}. */\nexport const ${variablesName} = Schema.Struct({\n${
          inputFields(operation.variables, context, "  ")
        }\n})`,
        `export type ${variablesName} = typeof ${variablesName}.Type`
      )
    }
    statements.push(
      `/** The result of {@link ${operation.id}}. */\nexport const ${resultName} = ${
        objectSchema(operation.result, js(operation.result.typename), { ...context, named }, "")
      }`,
      `export type ${resultName} = typeof ${resultName}.Type`,
      `${jsDoc(operation, "", [transportText(api, operation)])}export const ${operation.id} = GraphQL.${operation.kind}(${
        js(operation.id)
      }, {\ndocument: ${js(operation.document)},\n${
        operation.variables.length > 0 ? `variables: ${variablesName},\n` : ""
      }result: ${resultName}\n})`
    )
  }
  const usesGraphQL = statements.some((statement) => statement.includes("GraphQL."))
  return emitFile(createProject(), `/${names.group(group.tag)}.ts`, source, [
    `import { Schema } from "effect"`,
    ...(usesGraphQL ? [`import { GraphQL } from "effect/graphql"`] : []),
    ...(used.size > 0 ? [importLine("./schemas.ts", used)] : []),
    ...statements
  ])
}

// -----------------------------------------------------------------------------
// <Service>.ts
// -----------------------------------------------------------------------------

const streamStatic = (names: Names, operation: IR.GraphQLOperationIR): string => {
  const pagination = operation.pagination!
  const access = pagination.connection.map((key, index) => index === 0 ? `result.${key}` : `?.${key}`).join("")
  const item = names.item(operation.id)
  const variables = names.variables(operation.id)
  return `${
    jsDoc({
      description: `Every item of {@link ${operation.id}}, fetched page by page (Relay cursors on \`$after\`) as the ` +
        `stream is pulled. A page without \`pageInfo\` is the last.`
    })
  }static readonly ${names.stream(operation.id)} = (\nvariables: Omit<${variables}, "after"> = {}\n): Stream.Stream<${item}, GraphQLClientError.GraphQLClientError | DeclaredError, ${names.service}> =>\n` +
    `Stream.unwrap(${names.service}.useSync((client) =>\nGraphQLClient.pages(client.${operation.id}, {\nvariables,\nconnection: (result) => {\n` +
    `const connection = ${access}\n` +
    `return connection === null || connection === undefined ? null : {\n` +
    `pageInfo: { hasNextPage: connection.${pagination.pageInfo}?.hasNextPage ?? false, endCursor: connection.${pagination.pageInfo}?.endCursor ?? null },\n` +
    `edges: connection.${pagination.edges}\n}\n}\n}))).pipe(\n` +
    `Stream.flatMap((page) => Stream.fromIterable((page.edges ?? []).flatMap((edge) => edge?.${pagination.node} == null ? [] : [edge.${pagination.node}])))\n)`
}

const emitService = (api: IR.GraphQLApiIR, names: Names, source: string): string => {
  const websocket = api.operations.filter((o) => o.transport === "websocket")
  const http = api.operations.filter((o) => o.transport === "http")
  const paginated = websocket.filter((o) => o.pagination !== undefined)
  const imports = api.groups.flatMap((group) => {
    const values = api.operations.filter((o) => o.group === group.tag).map((o) => o.id)
    const types = paginated.filter((o) => o.group === group.tag).flatMap((o) => [names.item(o.id), names.variables(o.id)])
    return [
      ...(values.length > 0 ? [importLine(`./${names.group(group.tag)}.ts`, values)] : []),
      ...(types.length > 0 ? [importLine(`./${names.group(group.tag)}.ts`, types, true)] : [])
    ]
  })
  const service = names.service
  const members = [
    `/**\n * The client over any \`GraphQLProtocol\`. Subscriptions are not retried here: the transport\n` +
    ` * re-subscribes after a reconnect, and the vendor's retry rules run in the \`Errors\` middleware.\n */\n` +
    `static readonly layerProtocol: Layer.Layer<${service}, never, GraphQLProtocol.GraphQLProtocol | Errors> = Layer.effect(\n${service},\n` +
    `GraphQLClient.make(group, { subscriptionRetry: Schedule.recurs(0) })\n)`,
    `/**\n * A test double: each handler answers its operation by name with a decoded result (or a\n` +
    ` * Stream, for a subscription); an operation without a handler dies naming it.\n */\n` +
    `static readonly layerTest = GraphQLClient.layerTest(${service}, group)`,
    ...paginated.map((operation) => streamStatic(names, operation))
  ]
  return emitFile(createProject(), `/${service}.ts`, source, [
    `import { Context, Layer, Schedule${paginated.length > 0 ? ", Stream" : ""} } from "effect"`,
    `import { GraphQLClient, ${paginated.length > 0 ? "type GraphQLClientError, " : ""}GraphQLGroup, type GraphQLProtocol } from "effect/graphql"`,
    importLine("./vendor.ts", ["Errors"]),
    ...(paginated.length > 0 ? [importLine("./vendor.ts", ["DeclaredError"], true)] : []),
    ...imports,
    `/** The operations sent over the session's WebSocket. */\nexport const group = GraphQLGroup.make(${
      websocket.map((o) => o.id).join(", ")
    }).middleware(Errors)`,
    ...(http.length > 0
      ? [`/** The operations sent by HTTP POST to ${api.endpoints.http}. */\nexport const httpGroup = GraphQLGroup.make(${
        http.map((o) => o.id).join(", ")
      }).middleware(Errors)`]
      : []),
    `/**\n * The ${api.title}: one method per operation of {@link group}, each taking its variables and\n` +
    ` * returning its decoded result; a subscription returns a Stream.\n */\n` +
    `export class ${service} extends Context.Service<${service}, GraphQLClient.FromGroup<typeof group>>()(${
      js(`@vendor-sdk/${api.vendor}/${service}`)
    }) {\n${members.join("\n")}\n}`
  ])
}

// -----------------------------------------------------------------------------
// operations.ts, sdl.ts, index.ts
// -----------------------------------------------------------------------------

const emitRegistry = (api: IR.GraphQLApiIR, names: Names, source: string): string => {
  const imports = api.groups.flatMap((group) => {
    const ids = api.operations.filter((o) => o.group === group.tag).map((o) => o.id)
    return ids.length > 0 ? [importLine(`./${names.group(group.tag)}.ts`, ids)] : []
  })
  const entries = [
    ...api.operations.map((operation) =>
      `${propertyKey(operation.id)}: {\n${
        [
          `operationId: ${js(operation.id)}`,
          `group: ${js(operation.group)}`,
          `transport: ${js(operation.transport)}`,
          `kind: ${js(operation.kind)}`,
          `rootField: ${js(operation.rootField)}`,
          `operation: ${operation.id}`,
          ...(operation.pagination === undefined ? [] : [
            `pagination: ${
              literal({
                connection: operation.pagination.connection,
                edges: operation.pagination.edges,
                node: operation.pagination.node,
                pageInfo: operation.pagination.pageInfo
              })
            }`
          ])
        ].join(",\n")
      }\n}`
    ),
    ...api.actions.map((action) =>
      `${propertyKey(action.id)}: {\n${
        Object.entries({
          operationId: action.id,
          group: action.group,
          transport: "websocket",
          kind: action.kind,
          description: action.description,
          ...action.details
        }).filter(([, value]) => value !== undefined).map(([key, value]) => `${propertyKey(key)}: ${literal(value)}`).join(",\n")
      }\n}`
    )
  ]
  return emitFile(createProject(), "/operations.ts", source, [
    ...imports,
    `/**\n * Every operation of the ${api.title}, by operationId: the GraphQL operations with how they\n` +
    ` * travel, and the protocol's own frames (connect, keep-alive, stop), described as data.\n */\n` +
    `export const operations = {\n${entries.join(",\n")}\n} as const`
  ])
}

const template = (text: string) => `\`${text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")}\``

const emitSdl = (api: IR.GraphQLApiIR, source: string): string =>
  emitFile(createProject(), "/sdl.ts", source, [
    `/**\n * The schema as graphql-js prints it: what mock servers build and execute against, and what they\n` +
    ` * answer introspection from.\n */\nexport const sdl = ${template(api.sdl)}`
  ])

const emitIndex = (api: IR.GraphQLApiIR, names: Names, source: string): string =>
  emitFile(createProject(), "/index.ts", source, [
    `export * from "./vendor.ts"`,
    `export * from "./schemas.ts"`,
    ...api.groups.filter((group) => api.operations.some((o) => o.group === group.tag)).map((group) =>
      `export * from "./${names.group(group.tag)}.ts"`
    ),
    `export * from "./${names.service}.ts"`,
    `export { operations } from "./operations.ts"`,
    `export { sdl } from "./sdl.ts"`
  ])

/** Every generated file of a GraphQL package, by path relative to the repository root. */
export const emitGraphQLPackage = (api: IR.GraphQLApiIR, target: GraphQLPackageTarget): Files => {
  const names = packageNames(api)
  const dir = `${target.packageDir}/src/generated`
  const files: Files = new Map()
  files.set(`${dir}/vendor.ts`, emitVendor(api, target.source))
  files.set(`${dir}/schemas.ts`, emitSchemas(api, names, target.source))
  for (const group of api.groups) {
    if (!api.operations.some((o) => o.group === group.tag)) continue
    files.set(`${dir}/${names.group(group.tag)}.ts`, emitGroup(api, names, group, target.source))
  }
  files.set(`${dir}/${names.service}.ts`, emitService(api, names, target.source))
  files.set(`${dir}/operations.ts`, emitRegistry(api, names, target.source))
  files.set(`${dir}/sdl.ts`, emitSdl(api, target.source))
  files.set(`${dir}/index.ts`, emitIndex(api, names, target.source))
  return files
}
