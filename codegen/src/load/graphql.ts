/**
 * Load stage for GraphQL: the SDL, one operation document per operationId, and the protocol file
 * that says how each document travels and what the vendor's error names mean.
 *
 * The SDL is built into a schema with graphql-js and every document is validated against it, so an
 * operation that selects a missing field or passes a wrong argument fails `pnpm generate`. The
 * `# unconfirmed: …` comments graphql-js would drop are kept by schema coordinate for the JSDoc.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import {
  assertValidSchema,
  buildASTSchema,
  buildClientSchema,
  type DefinitionNode,
  type DocumentNode,
  getIntrospectionQuery,
  GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
  Kind,
  type Location,
  parse,
  printSchema,
  type Token,
  TokenKind,
  validate
} from "graphql"
import * as YAML from "yaml"
import { SpecError } from "./openapi.ts"

/** One operation document. */
export interface LoadedOperation {
  /** The operationId: the file's base name and the operation's name. */
  readonly id: string
  readonly file: string
  readonly document: DocumentNode
  /** The `# unconfirmed:` lines above the operation. */
  readonly unconfirmed: ReadonlyArray<string>
}

/** A GraphQL API as the generator reads it. */
export interface LoadedGraphQL {
  readonly schemaFile: string
  readonly schema: GraphQLSchema
  /**
   * `# unconfirmed:` marks by schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`,
   * `Enum.VALUE`, `Input.field`.
   */
  readonly unconfirmed: ReadonlyMap<string, string>
  readonly operations: ReadonlyArray<LoadedOperation>
  /** The parsed protocol file. */
  readonly protocol: Protocol
}

/** The parts of `protocol.yaml` the generator reads. */
export interface Protocol {
  readonly format: string
  readonly title: string
  readonly endpoints: {
    readonly http: { readonly url: string }
    readonly websocket: { readonly url_template: string }
  }
  readonly graphql_operations: Readonly<Record<string, { readonly group: string; readonly transport: "http" | "websocket" }>>
  readonly actions: Readonly<
    Record<string, { readonly kind: string; readonly group: string; readonly description?: string } & Record<string, unknown>>
  >
  readonly errors: {
    readonly names: Readonly<
      Record<string, { readonly tag: string; readonly meaning?: string; readonly retry: unknown } & Record<string, unknown>>
    >
  }
}

const unconfirmedPattern = /^\s*unconfirmed:\s*(.*)$/

/** The `# unconfirmed:` comment lines directly above `token`, skipping descriptions and keywords. */
const commentsBefore = (token: Token, stop: (token: Token) => boolean = () => false): Array<string> => {
  const lines: Array<string> = []
  for (let current = token.prev; current !== null && !stop(current); current = current.prev) {
    if (current.kind === TokenKind.COMMENT) {
      const match = unconfirmedPattern.exec(current.value ?? "")
      if (match !== null) lines.unshift(match[1]!.trim())
    } else if (current.kind === TokenKind.BLOCK_STRING || current.kind === TokenKind.STRING) {
      continue
    } else if (current.kind === TokenKind.NAME && /^(type|input|enum|interface|union|scalar|extend)$/.test(current.value ?? "")) {
      continue
    } else {
      break
    }
  }
  return lines
}

const nameToken = (loc: Location | undefined): Token | undefined => loc?.startToken

/** Collects the unconfirmed marks of every definition, field, argument and enum value of the SDL. */
const unconfirmedMarks = (document: DocumentNode): Map<string, string> => {
  const marks = new Map<string, string>()
  const add = (coordinate: string, loc: Location | undefined) => {
    const token = nameToken(loc)
    if (token === undefined) return
    const lines = commentsBefore(token)
    if (lines.length > 0) marks.set(coordinate, lines.join("; "))
  }
  for (const definition of document.definitions) {
    if (!("name" in definition) || definition.name === undefined) continue
    const type = definition.name.value
    add(type, definition.name.loc)
    if ("fields" in definition && definition.fields !== undefined) {
      for (const field of definition.fields) {
        add(`${type}.${field.name.value}`, field.name.loc)
        if ("arguments" in field && field.arguments !== undefined) {
          for (const argument of field.arguments) add(`${type}.${field.name.value}(${argument.name.value}:)`, argument.name.loc)
        }
      }
    }
    if ("values" in definition && definition.values !== undefined) {
      for (const value of definition.values) add(`${type}.${value.name.value}`, value.name.loc)
    }
  }
  return marks
}

const parseGraphQL = (text: string, file: string): DocumentNode => {
  try {
    return parse(text)
  } catch (cause) {
    throw new SpecError(`${file}: ${cause instanceof GraphQLError ? cause.toString() : String(cause)}`)
  }
}

const located = (file: string, error: GraphQLError) => {
  const where = error.locations?.[0]
  return `${file}${where === undefined ? "" : `:${where.line}:${where.column}`}: ${error.message}`
}

const fail = (message: string): never => {
  throw new SpecError(message)
}

const checkProtocol = (file: string, protocol: unknown): Protocol => {
  const p = protocol as Partial<Protocol> | null
  if (p === null || typeof p !== "object" || p.format !== "vendor-protocol/1") {
    fail(`${file}: not a protocol file (expected format: vendor-protocol/1)`)
  }
  if (typeof p!.title !== "string") fail(`${file}: missing title`)
  if (typeof p!.endpoints?.http?.url !== "string" || typeof p!.endpoints?.websocket?.url_template !== "string") {
    fail(`${file}: endpoints.http.url and endpoints.websocket.url_template are required`)
  }
  for (const [id, entry] of Object.entries(p!.graphql_operations ?? fail(`${file}: missing graphql_operations`))) {
    if (typeof entry?.group !== "string" || (entry.transport !== "http" && entry.transport !== "websocket")) {
      fail(`${file}: graphql_operations.${id} needs a group and a transport (http or websocket)`)
    }
  }
  for (const [id, entry] of Object.entries(p!.actions ?? {})) {
    if (typeof entry?.group !== "string" || typeof entry.kind !== "string") fail(`${file}: actions.${id} needs a group and a kind`)
  }
  for (const [name, entry] of Object.entries(p!.errors?.names ?? {})) {
    if (typeof entry?.tag !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(entry.tag)) {
      fail(`${file}: errors.names.${name} needs a PascalCase tag`)
    }
  }
  return p as Protocol
}

/**
 * Reads `schema.graphql`, `operations/*.graphql` and `protocol.yaml` from a spec directory,
 * validates every document against the schema and the protocol's operation map against the files.
 * Throws `SpecError` naming the file, line and column of the first problems.
 */
export const loadGraphQL = async (schemaFile: string): Promise<LoadedGraphQL> => {
  const dir = path.dirname(schemaFile)
  const sdl = parseGraphQL(await fs.readFile(schemaFile, "utf8"), schemaFile)
  let schema: GraphQLSchema
  try {
    schema = buildASTSchema(sdl)
    assertValidSchema(schema)
  } catch (cause) {
    throw new SpecError(`${schemaFile}: invalid schema: ${(cause as Error).message}`)
  }
  const protocolFile = path.join(dir, "protocol.yaml")
  const protocol = checkProtocol(protocolFile, YAML.parse(await fs.readFile(protocolFile, "utf8")))

  const operationsDir = path.join(dir, "operations")
  const files = (await fs.readdir(operationsDir)).filter((name) => name.endsWith(".graphql")).sort()
  const problems: Array<string> = []
  const operations: Array<LoadedOperation> = []
  for (const name of files) {
    const file = path.join(operationsDir, name)
    const id = name.slice(0, -".graphql".length)
    const document = parseGraphQL(await fs.readFile(file, "utf8"), file)
    const definitions = document.definitions.filter((d: DefinitionNode) => d.kind === Kind.OPERATION_DEFINITION)
    if (definitions.length !== 1) {
      problems.push(`${file}: expected exactly one operation, found ${definitions.length}`)
      continue
    }
    const operation = definitions[0]!
    if (operation.name?.value !== id) {
      problems.push(`${file}: the operation must be named ${id} after its file, not ${operation.name?.value ?? "(anonymous)"}`)
    }
    problems.push(...validate(schema, document).map((error) => located(file, error)))
    const start = operation.loc?.startToken
    operations.push({ id, file, document, unconfirmed: start === undefined ? [] : commentsBefore(start) })
  }
  const declared = Object.keys(protocol.graphql_operations)
  for (const id of declared) {
    if (!files.includes(`${id}.graphql`)) problems.push(`${protocolFile}: graphql_operations.${id} has no operations/${id}.graphql`)
  }
  for (const operation of operations) {
    if (!declared.includes(operation.id)) {
      problems.push(`${operation.file}: not listed in graphql_operations of ${protocolFile}`)
    }
    if (operation.id in (protocol.actions ?? {})) problems.push(`${operation.file}: ${operation.id} is also a protocol action`)
  }
  if (problems.length > 0) throw new SpecError(`GraphQL documents do not match the schema:\n  ${problems.join("\n  ")}`)
  // Keep the protocol map's order: it is the order of the vendor reference.
  operations.sort((a, b) => declared.indexOf(a.id) - declared.indexOf(b.id))
  return { schemaFile, schema, unconfirmed: unconfirmedMarks(sdl), operations, protocol }
}

/**
 * Runs the introspection query against a live endpoint and returns its schema as SDL, with a header
 * saying where it came from. The access token is sent as a bearer token.
 */
export const pullSchema = async (options: { readonly url: string; readonly token: string }): Promise<string> => {
  const response = await fetch(options.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }), operationName: "IntrospectionQuery" })
  })
  const text = await response.text()
  let body: { readonly data?: IntrospectionQuery | null; readonly errors?: ReadonlyArray<{ readonly message?: string }> }
  try {
    body = JSON.parse(text)
  } catch {
    throw new SpecError(`${options.url}: HTTP ${response.status}, not a GraphQL response: ${text.slice(0, 200)}`)
  }
  if (body.errors !== undefined && body.errors.length > 0) {
    throw new SpecError(`${options.url}: introspection failed: ${body.errors.map((error) => error.message).join("; ")}`)
  }
  if (body.data === undefined || body.data === null) throw new SpecError(`${options.url}: HTTP ${response.status}, no data`)
  const schema = buildClientSchema(body.data)
  return `# Pulled from ${options.url} by \`pnpm spec:pull\`: the live schema as the server describes it\n` +
    `# through introspection. Edit nothing here; pull again instead.\n\n${printSchema(schema)}\n`
}
