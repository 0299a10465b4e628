/**
 * GraphQL → IR: operation documents, resolved against the schema, become variables and result
 * selections; the input objects and enums they use become models; the protocol file gives groups,
 * transports, protocol actions and error names.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  GraphQLInterfaceType,
  type GraphQLNamedType,
  GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  print,
  printSchema,
  type SelectionSetNode,
  stripIgnoredCharacters,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo
} from "graphql"
import type { LoadedGraphQL, LoadedOperation, Protocol } from "../load/graphql.ts"
import { SpecError } from "../load/openapi.ts"
import { pascalCase } from "./names.ts"
import type * as IR from "./types.ts"

const standardScalars = new Set(["ID", "String", "Int", "Float", "Boolean"])

// SDL descriptions are Markdown: a single line break inside a paragraph is a space.
const paragraphs = (text: string) => text.replace(/([^\n])\n(?![\n\s]*([-*>|]|\d+\.)\s)(?=[^\n])/g, "$1 ")

const doc = (description: string | null | undefined, unconfirmed: string | undefined): IR.DocIR => ({
  ...(description === null || description === undefined ? {} : { description: paragraphs(description) }),
  ...(unconfirmed === undefined ? {} : { unconfirmed })
})

interface Context {
  readonly schema: GraphQLSchema
  readonly marks: ReadonlyMap<string, string>
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>
  readonly file: string
  /** Named types the operations use, in first-use order. */
  readonly enums: Set<string>
  readonly inputs: Set<string>
}

// -----------------------------------------------------------------------------
// Input types
// -----------------------------------------------------------------------------

const inputType = (context: Context, type: GraphQLInputType): IR.GraphQLTypeIR => {
  if (isNonNullType(type)) return nonNull(inputType(context, type.ofType))
  return { kind: "nullable", inner: nonNull(inputTypeInner(context, type)) }
}

const nonNull = (type: IR.GraphQLTypeIR): IR.GraphQLTypeIR => type.kind === "nullable" ? type.inner : type

const inputTypeInner = (context: Context, type: GraphQLInputType): IR.GraphQLTypeIR => {
  if (isNonNullType(type)) return inputType(context, type.ofType)
  if (isListType(type)) return { kind: "list", items: inputType(context, type.ofType) }
  if (isEnumType(type)) {
    context.enums.add(type.name)
    return { kind: "enum", name: type.name }
  }
  if (isInputObjectType(type)) {
    if (!context.inputs.has(type.name)) {
      context.inputs.add(type.name)
      for (const field of Object.values(type.getFields())) inputType(context, field.type)
    }
    return { kind: "input", name: type.name }
  }
  return scalar(type.name)
}

const scalar = (name: string): IR.GraphQLTypeIR => ({
  kind: "scalar",
  scalar: standardScalars.has(name) ? name as "ID" : "custom",
  name
})

// -----------------------------------------------------------------------------
// Selections
// -----------------------------------------------------------------------------

/** The field nodes of a selection set that apply to `type`, by response key, in document order. */
const collectFields = (
  context: Context,
  type: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  into: Map<string, Array<FieldNode>> = new Map()
): Map<string, Array<FieldNode>> => {
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        const key = selection.alias?.value ?? selection.name.value
        const list = into.get(key) ?? []
        list.push(selection)
        into.set(key, list)
        break
      }
      case Kind.INLINE_FRAGMENT: {
        const condition = selection.typeCondition?.name.value
        if (condition === undefined || applies(context, condition, type)) {
          collectFields(context, type, selection.selectionSet, into)
        }
        break
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = context.fragments.get(selection.name.value)!
        if (applies(context, fragment.typeCondition.name.value, type)) {
          collectFields(context, type, fragment.selectionSet, into)
        }
        break
      }
    }
  }
  return into
}

/** Whether a fragment on `condition` applies to every value of `type`. */
const applies = (context: Context, condition: string, type: GraphQLCompositeType): boolean => {
  if (condition === type.name) return true
  const conditionType = context.schema.getType(condition)
  if (conditionType === undefined || !isAbstractType(conditionType)) return false
  if (type instanceof GraphQLObjectType) return context.schema.isSubType(conditionType, type)
  // On an abstract type, a fragment on a supertype applies to every possible type.
  return context.schema.getPossibleTypes(type).every((possible) => context.schema.isSubType(conditionType, possible))
}

const fieldDefinition = (type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined =>
  type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType ? type.getFields()[name] : undefined

const objectSelection = (
  context: Context,
  type: GraphQLCompositeType,
  fields: Map<string, Array<FieldNode>>
): IR.ObjectSelectionIR => ({
  typename: type.name,
  fields: [...fields].map(([key, nodes]): IR.SelectedFieldIR => {
    const name = nodes[0]!.name.value
    if (name === "__typename") return { key, type: { kind: "typename" } }
    const definition = fieldDefinition(type, name)
    if (definition === undefined) throw new SpecError(`${context.file}: ${type.name}.${name} is not selectable here`)
    return {
      key,
      type: outputType(context, definition.type, nodes),
      ...doc(definition.description, context.marks.get(`${type.name}.${name}`))
    }
  })
})

const outputType = (context: Context, type: GraphQLOutputType, nodes: ReadonlyArray<FieldNode>): IR.GraphQLTypeIR => {
  if (isNonNullType(type)) return nonNull(outputType(context, type.ofType, nodes))
  return { kind: "nullable", inner: nonNull(outputTypeInner(context, type, nodes)) }
}

const outputTypeInner = (context: Context, type: GraphQLOutputType, nodes: ReadonlyArray<FieldNode>): IR.GraphQLTypeIR => {
  if (isNonNullType(type)) return outputType(context, type.ofType, nodes)
  if (isListType(type)) return { kind: "list", items: outputType(context, type.ofType, nodes) }
  if (isEnumType(type)) {
    context.enums.add(type.name)
    return { kind: "enum", name: type.name }
  }
  if (isScalarType(type)) return scalar(type.name)
  const merged: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: nodes.flatMap((node) => node.selectionSet?.selections ?? [])
  }
  return { kind: "selection", selection: selection(context, type as GraphQLCompositeType, merged) }
}

const selection = (context: Context, type: GraphQLCompositeType, selectionSet: SelectionSetNode): IR.SelectionIR => {
  if (!isAbstractType(type)) return { kind: "object", ...objectSelection(context, type, collectFields(context, type, selectionSet)) }
  const common = collectFields(context, type, selectionSet)
  const possible = context.schema.getPossibleTypes(type)
  const members = possible.map((member) => ({ member, fields: collectFields(context, member, selectionSet) }))
  const typename = [...common.values()].some((nodes) => nodes[0]!.name.value === "__typename")
  if (typename) {
    const keys = (fields: Map<string, Array<FieldNode>>) => [...fields.keys()].join(",")
    return {
      kind: "abstract",
      typename: type.name,
      possible: possible.map((member) => member.name),
      members: members.filter(({ fields }) => keys(fields) !== keys(common)).map(({ fields, member }) =>
        objectSelection(context, member, fields)
      ),
      other: objectSelection(context, type, common)
    }
  }
  const sameEverywhere = members.every(({ fields }) => fields.size === common.size)
  if (!sameEverywhere) {
    throw new SpecError(`${context.file}: select __typename on ${type.name} to tell its types apart`)
  }
  return { kind: "object", ...objectSelection(context, type, common) }
}

// -----------------------------------------------------------------------------
// Operations
// -----------------------------------------------------------------------------

/** The description of each variable: that of the first argument it is passed to. */
const variableDocs = (context: Context, definition: OperationDefinitionNode): Map<string, IR.DocIR> => {
  const docs = new Map<string, IR.DocIR>()
  const typeInfo = new TypeInfo(context.schema)
  visit(
    definition,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (node.value.kind !== Kind.VARIABLE || docs.has(node.value.name.value)) return
        const argument = typeInfo.getArgument()
        const parent = typeInfo.getParentType()
        const field = typeInfo.getFieldDef()
        if (argument == null || parent == null || field == null) return
        docs.set(
          node.value.name.value,
          doc(argument.description, context.marks.get(`${parent.name}.${field.name}(${argument.name}:)`))
        )
      }
    })
  )
  return docs
}

/** The Relay connection a query pages through with `$after`, if it has exactly one. */
const findPagination = (
  operation: Omit<IR.GraphQLOperationIR, "pagination">
): IR.GraphQLPaginationIR | undefined => {
  const after = operation.variables.find((variable) => variable.name === "after")
  if (operation.kind !== "query" || after === undefined || after.required) return undefined
  if (nonNull(after.type).kind !== "scalar" || (nonNull(after.type) as { name: string }).name !== "String") return undefined
  const found: Array<IR.GraphQLPaginationIR> = []
  const objectOf = (type: IR.GraphQLTypeIR): IR.ObjectSelectionIR | undefined => {
    const inner = nonNull(type)
    return inner.kind === "selection" && inner.selection.kind === "object" ? inner.selection : undefined
  }
  const walk = (selection: IR.ObjectSelectionIR, at: ReadonlyArray<string>) => {
    const byName = new Map(selection.fields.map((field) => [field.key, field]))
    const edges = byName.get("edges")
    const pageInfo = objectOf(byName.get("pageInfo")?.type ?? { kind: "typename" })
    const edgeList = edges === undefined ? undefined : nonNull(edges.type)
    const edge = edgeList?.kind === "list" ? objectOf(edgeList.items) : undefined
    const node = edge?.fields.find((field) => field.key === "node")
    const nodeSelection = node === undefined ? undefined : nonNull(node.type)
    const pageKeys = new Set(pageInfo?.fields.map((field) => field.key))
    if (
      nodeSelection?.kind === "selection" && pageKeys.has("hasNextPage") && pageKeys.has("endCursor")
    ) {
      found.push({ connection: at, edges: "edges", node: "node", pageInfo: "pageInfo", item: nodeSelection.selection })
      return
    }
    for (const field of selection.fields) {
      const child = objectOf(field.type)
      if (child !== undefined) walk(child, [...at, field.key])
    }
  }
  walk(operation.result, [])
  return found.length === 1 ? found[0] : undefined
}

const normaliseOperation = (
  context: Context,
  loaded: LoadedOperation,
  entry: Protocol["graphql_operations"][string]
): IR.GraphQLOperationIR => {
  const definition = loaded.document.definitions.find((d): d is OperationDefinitionNode =>
    d.kind === Kind.OPERATION_DEFINITION
  )!
  const root = context.schema.getRootType(definition.operation)!
  const docs = variableDocs(context, definition)
  const variables = (definition.variableDefinitions ?? []).map((variable): IR.GraphQLInputFieldIR => {
    const type = typeFromAST(context.schema, variable.type) as GraphQLInputType
    return {
      name: variable.variable.name.value,
      type: inputType(context, type),
      required: isNonNullType(type) && variable.defaultValue === undefined,
      ...docs.get(variable.variable.name.value)
    }
  })
  const result = objectSelection(context, root, collectFields(context, root, definition.selectionSet))
  const first = definition.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)
  const rootField = first === undefined ? root.name : `${root.name}.${first.name.value}`
  const rootDefinition = first === undefined ? undefined : root.getFields()[first.name.value]
  const unconfirmed = [...loaded.unconfirmed, ...(context.marks.has(rootField) ? [context.marks.get(rootField)!] : [])]
  if (definition.operation === "subscription" && entry.transport === "http") {
    throw new SpecError(`${loaded.file}: subscriptions cannot travel over http`)
  }
  const operation = {
    id: loaded.id,
    group: entry.group,
    kind: definition.operation,
    transport: entry.transport,
    document: stripIgnoredCharacters(print(loaded.document)),
    rootField,
    variables,
    result,
    ...doc(rootDefinition?.description, unconfirmed.length === 0 ? undefined : [...new Set(unconfirmed)].join("; "))
  }
  const pagination = findPagination(operation)
  return pagination === undefined ? operation : { ...operation, pagination }
}

// -----------------------------------------------------------------------------
// Protocol
// -----------------------------------------------------------------------------

const retryRule = (name: string, retry: unknown): IR.ProtocolErrorIR["retry"] => {
  if (retry === "never") return { kind: "never" }
  if (retry === "backoff") return { kind: "backoff" }
  const limited = retry as { readonly times?: unknown; readonly within?: unknown } | null
  if (typeof limited?.times === "number" && typeof limited.within === "string") {
    return { kind: "limited", times: limited.times, within: limited.within }
  }
  throw new SpecError(`errors.names.${name}.retry must be never, backoff or { times, within }`)
}

/** Builds the IR of a GraphQL API. */
export const normaliseGraphQL = (loaded: LoadedGraphQL, options: { readonly vendor: string }): IR.GraphQLApiIR => {
  const { protocol, schema } = loaded
  const fragmentsOf = (operation: LoadedOperation) =>
    new Map(
      operation.document.definitions.flatMap((d) => d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])
    )
  const enums = new Set<string>()
  const inputs = new Set<string>()
  const operations = loaded.operations.map((operation) =>
    normaliseOperation(
      { schema, marks: loaded.unconfirmed, fragments: fragmentsOf(operation), file: operation.file, enums, inputs },
      operation,
      protocol.graphql_operations[operation.id]!
    )
  )
  const actions = Object.entries(protocol.actions ?? {}).map(([id, action]): IR.ProtocolActionIR => {
    const { description, group, kind, source: _source, ...details } = action
    return { id, group, kind, ...(typeof description === "string" ? { description } : {}), details }
  })
  const groupTags = [...new Set([...operations.map((o) => o.group), ...actions.map((a) => a.group)])]
  // Schema definition order, so the models read like the SDL.
  const named = (names: ReadonlySet<string>) =>
    Object.values(schema.getTypeMap()).filter((type: GraphQLNamedType) => names.has(type.name))
  const mark = (coordinate: string) => loaded.unconfirmed.get(coordinate)
  return {
    vendor: options.vendor,
    title: protocol.title,
    endpoints: { http: protocol.endpoints.http.url, websocket: protocol.endpoints.websocket.url_template },
    groups: groupTags.map((tag) => ({ tag, name: pascalCase(tag) })),
    enums: named(enums).flatMap((type) =>
      isEnumType(type)
        ? [{
          name: type.name,
          values: type.getValues().map((value) => ({
            value: value.name,
            ...doc(value.description, mark(`${type.name}.${value.name}`))
          })),
          ...doc(type.description, mark(type.name))
        }]
        : []
    ),
    inputs: named(inputs).flatMap((type) => {
      if (!isInputObjectType(type)) return []
      const context: Context = { schema, marks: loaded.unconfirmed, fragments: new Map(), file: loaded.schemaFile, enums, inputs }
      return [{
        name: type.name,
        fields: Object.values(type.getFields()).map((field) => ({
          name: field.name,
          type: inputType(context, field.type),
          required: isNonNullType(field.type) && field.defaultValue === undefined,
          ...doc(field.description, mark(`${type.name}.${field.name}`))
        })),
        ...doc(type.description, mark(type.name))
      }]
    }),
    operations,
    actions,
    errors: Object.entries(protocol.errors.names).map(([name, entry]) => ({
      name,
      tag: entry.tag,
      retry: retryRule(name, entry.retry),
      ...(typeof entry.meaning === "string" ? { description: entry.meaning } : {})
    })),
    sdl: printSchema(schema)
  }
}
