/**
 * The intermediate representation: what the emitters know about an API, as plain data.
 *
 * Front ends (OpenAPI, GraphQL) build it; emitters read only it. It holds no ts-morph or OpenAPI
 * types, so it can be printed, diffed and tested on its own.
 */

/** A JSON path as dotted segments; `*` maps over arrays. */
export type PathIR = ReadonlyArray<string>

/** Checks that become Schema filters, so bad input fails before anything is sent. */
export interface ChecksIR {
  readonly minLength?: number | undefined
  readonly maxLength?: number | undefined
  readonly pattern?: string | undefined
  readonly minimum?: number | undefined
  readonly maximum?: number | undefined
  readonly exclusiveMinimum?: number | undefined
  readonly exclusiveMaximum?: number | undefined
  readonly minItems?: number | undefined
  readonly maxItems?: number | undefined
}

/** Documentation carried to JSDoc. */
export interface DocIR {
  readonly description?: string | undefined
  readonly unconfirmed?: string | undefined
  readonly deprecated?: boolean | undefined
}

/** A schema, normalised. */
export type SchemaIR =
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "string"; readonly format?: string | undefined; readonly checks: ChecksIR }
  | { readonly kind: "number"; readonly integer: boolean; readonly checks: ChecksIR }
  | { readonly kind: "boolean" }
  | { readonly kind: "null" }
  | { readonly kind: "unknown" }
  | { readonly kind: "redacted" }
  | { readonly kind: "literal"; readonly values: ReadonlyArray<string | number | boolean>; readonly open: boolean }
  | { readonly kind: "array"; readonly items: SchemaIR; readonly checks: ChecksIR }
  | {
    readonly kind: "object"
    readonly properties: ReadonlyArray<PropertyIR>
    /** Extra keys: `false` forbids nothing but keeps only the declared ones; a schema types them. */
    readonly additional: SchemaIR | false
  }
  | { readonly kind: "union"; readonly members: ReadonlyArray<SchemaIR>; readonly discriminator?: string | undefined }
  | { readonly kind: "nullable"; readonly inner: SchemaIR }

/** A property of an object schema. */
export interface PropertyIR extends DocIR {
  readonly name: string
  readonly schema: SchemaIR
  readonly required: boolean
  /** Only in responses (`readOnly`): decoded, never sent. */
  readonly readOnly?: boolean | undefined
}

/** A named model (`components/schemas`). */
export interface ModelIR extends DocIR {
  readonly name: string
  /** The name in the spec, e.g. `simple-user`. */
  readonly specName: string
  readonly schema: SchemaIR
}

/** An input of an operation outside the body. */
export interface ParamIR extends DocIR {
  /** The key callers use. */
  readonly name: string
  readonly wireName: string
  readonly in: "path" | "query" | "header" | "cookie"
  readonly style: "simple" | "form" | "spaceDelimited" | "pipeDelimited" | "deepObject" | "brackets"
  readonly explode: boolean
  /** Reserved characters are sent as they are (OpenAPI `allowReserved`, honoured on path parameters too). */
  readonly allowReserved: boolean
  readonly required: boolean
  readonly schema: SchemaIR
}

/** An input of a variant operation that is written into its body. */
export interface BodyFieldIR extends DocIR {
  /** The key callers use. */
  readonly param: string
  /** Where it goes in the body. */
  readonly path: PathIR
  readonly required: boolean
  readonly schema: SchemaIR
}

/** Where the request body comes from: one `body` input, or constants plus named inputs. */
export type BodySourceIR =
  | { readonly kind: "param" }
  | {
    readonly kind: "fields"
    readonly constant: Readonly<Record<string, unknown>>
    readonly fields: ReadonlyArray<BodyFieldIR>
  }

/** The request body. */
export interface BodyIR extends DocIR {
  readonly contentType: string
  readonly encoding: "json" | "form" | "multipart" | "text" | "binary"
  readonly required: boolean
  /** The schema of the whole body (of the general operation, for variants). */
  readonly schema: SchemaIR
  readonly source: BodySourceIR
}

/** One documented response. */
export interface ResponseIR {
  readonly status: number | "1XX" | "2XX" | "3XX" | "4XX" | "5XX" | "default"
  readonly description?: string | undefined
  readonly schema?: SchemaIR | undefined
  /** The media type the schema was taken from. */
  readonly contentType?: string | undefined
  /** Result fields read from headers (`x-id-header`): field name → header name. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** How a list pages. */
export interface PaginationIR {
  readonly items: PathIR
  readonly page?: { readonly param: string; readonly start: number } | undefined
  readonly offset?: { readonly param: string; readonly limitParam: string; readonly limit: number } | undefined
  readonly nextLink?: PathIR | undefined
  readonly totalPages?: PathIR | undefined
  readonly currentPage?: PathIR | undefined
  /** The schema of one item, found in the page schema at `items`. */
  readonly item: SchemaIR
}

/** A server URL template. */
export interface ServerIR {
  readonly url: string
  readonly description?: string | undefined
  readonly variables: Readonly<
    Record<string, { readonly default: string; readonly enum?: ReadonlyArray<string>; readonly description?: string }>
  >
}

/** One operation. */
export interface OperationIR extends DocIR {
  readonly id: string
  readonly group: string
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
  readonly path: string
  readonly summary?: string | undefined
  readonly server?: ServerIR | undefined
  readonly params: ReadonlyArray<ParamIR>
  readonly body?: BodyIR | undefined
  readonly responses: ReadonlyArray<ResponseIR>
  readonly pagination?: PaginationIR | undefined
  /** The general operation this one is a variant of (`x-variants`). */
  readonly variantOf?: string | undefined
  /** Whether the operation takes no security (token endpoints, logins). */
  readonly public: boolean
}

/** A resource group: one generated service. */
export interface GroupIR {
  /** The tag, e.g. `customer-entries`. */
  readonly tag: string
  /** The service name, e.g. `CustomerEntries`. */
  readonly name: string
  readonly description?: string | undefined
}

/** A declared vendor error (`x-errors.custom`). */
export interface CustomErrorIR {
  readonly tag: string
  readonly status: number
  readonly retryable: boolean
  readonly description?: string | undefined
}

/** How error bodies read (`x-errors`). */
export interface ErrorMappingIR {
  readonly message: ReadonlyArray<PathIR>
  readonly code: ReadonlyArray<PathIR>
  readonly correlationId: ReadonlyArray<PathIR>
  readonly requestId: ReadonlyArray<PathIR>
  readonly requestIdHeaders: ReadonlyArray<string>
  readonly fieldErrors?: {
    readonly at: PathIR
    readonly path: ReadonlyArray<PathIR>
    readonly message: ReadonlyArray<PathIR>
    readonly code: ReadonlyArray<PathIR>
  } | undefined
  readonly custom: ReadonlyArray<CustomErrorIR>
}

/** The documented request budget (`x-rate-limit`). */
export interface RateLimitIR extends DocIR {
  readonly limit: number
  readonly window: string
  readonly algorithm: "fixed-window" | "token-bucket"
  readonly cost: Readonly<Record<string, number>>
  readonly headers: Readonly<Partial<Record<"limit" | "remaining" | "reset" | "resetAfter" | "retryAfter", string>>>
}

/** An auth scheme the generated `Auth` key offers layers for. */
export type SecurityIR =
  | {
    readonly kind: "oauth2"
    readonly name: string
    readonly description?: string | undefined
    readonly tokenUrl?: string | undefined
    readonly authorizationUrl?: string | undefined
    readonly flows: ReadonlyArray<"clientCredentials" | "authorizationCode">
    readonly encoding: "json" | "form"
  }
  | { readonly kind: "bearer"; readonly name: string; readonly description?: string | undefined }
  | {
    readonly kind: "apiKey"
    readonly name: string
    readonly description?: string | undefined
    readonly in: "header" | "query" | "cookie"
    readonly paramName: string
    /** Computed per request by the vendor package (`x-computed`), so no fixed-value layer is generated. */
    readonly computed: boolean
  }

/** A whole API. */
export interface ApiIR extends DocIR {
  /** The vendor package name, e.g. `helpscout`. */
  readonly vendor: string
  readonly title: string
  readonly version: string
  readonly server: ServerIR
  readonly errors: ErrorMappingIR
  readonly rateLimit?: RateLimitIR | undefined
  readonly retry?: { readonly times?: number; readonly base?: string; readonly cap?: string } | undefined
  readonly warning: ReadonlyArray<PathIR>
  readonly security: ReadonlyArray<SecurityIR>
  /** Header parameters whose values are secrets (`x-redacted`), redacted from logs and spans. */
  readonly secretHeaders: ReadonlyArray<string>
  readonly groups: ReadonlyArray<GroupIR>
  readonly models: ReadonlyArray<ModelIR>
  readonly operations: ReadonlyArray<OperationIR>
}

// -----------------------------------------------------------------------------
// GraphQL front end
// -----------------------------------------------------------------------------

/** A GraphQL type where an operation uses it: a variable, an input field or a selected field. */
export type GraphQLTypeIR =
  | { readonly kind: "scalar"; readonly scalar: "ID" | "String" | "Int" | "Float" | "Boolean" | "custom"; readonly name: string }
  | { readonly kind: "enum"; readonly name: string }
  | { readonly kind: "input"; readonly name: string }
  | { readonly kind: "list"; readonly items: GraphQLTypeIR }
  | { readonly kind: "nullable"; readonly inner: GraphQLTypeIR }
  | { readonly kind: "selection"; readonly selection: SelectionIR }
  /** `__typename`: a literal on an object, one literal per member of an abstract selection. */
  | { readonly kind: "typename" }

/** The fields selected on one object type. */
export interface ObjectSelectionIR {
  readonly typename: string
  readonly fields: ReadonlyArray<SelectedFieldIR>
}

/**
 * What a selection set decodes to. On an interface or union that selects `__typename`: a member for
 * each possible type that selects fields of its own (through a fragment), and `other`, the common
 * fields, for the remaining possible types and for types the server adds later. `__typename` tells
 * them apart.
 */
export type SelectionIR =
  | ({ readonly kind: "object" } & ObjectSelectionIR)
  | {
    readonly kind: "abstract"
    /** The interface or union. */
    readonly typename: string
    /** Every type the schema says it can be. */
    readonly possible: ReadonlyArray<string>
    readonly members: ReadonlyArray<ObjectSelectionIR>
    readonly other: ObjectSelectionIR
  }

/** One field of a selection, under its response key (the alias, or the field name). */
export interface SelectedFieldIR extends DocIR {
  readonly key: string
  readonly type: GraphQLTypeIR
}

/** A variable of an operation, or a field of an input object. */
export interface GraphQLInputFieldIR extends DocIR {
  readonly name: string
  readonly type: GraphQLTypeIR
  /** Non-null without a default: the caller must pass it. */
  readonly required: boolean
}

/** An input object type an operation uses. */
export interface GraphQLInputObjectIR extends DocIR {
  readonly name: string
  readonly fields: ReadonlyArray<GraphQLInputFieldIR>
}

/** An enum an operation uses, as a variable or input field, or in its result. */
export interface GraphQLEnumIR extends DocIR {
  readonly name: string
  readonly values: ReadonlyArray<DocIR & { readonly value: string }>
}

/** A Relay connection in a query's result that pages with an `$after` cursor variable. */
export interface GraphQLPaginationIR {
  /** Response keys from the result to the connection. */
  readonly connection: ReadonlyArray<string>
  /** The response keys of `edges`, `node` and `pageInfo` in the connection's selection. */
  readonly edges: string
  readonly node: string
  readonly pageInfo: string
  /** The node's selection: the item type of the stream. */
  readonly item: SelectionIR
}

/** One GraphQL operation document. */
export interface GraphQLOperationIR extends DocIR {
  /** The operationId, which is also the operation's name in the document. */
  readonly id: string
  readonly group: string
  readonly kind: "query" | "mutation" | "subscription"
  readonly transport: "http" | "websocket"
  /** The document as sent: printed with ignored characters stripped. */
  readonly document: string
  /** The root field the operation selects first, e.g. `Mutation.sendMessage`. */
  readonly rootField: string
  readonly variables: ReadonlyArray<GraphQLInputFieldIR>
  readonly result: ObjectSelectionIR
  readonly pagination?: GraphQLPaginationIR | undefined
}

/** A non-GraphQL operation of the transport (connect, keep-alive, stop): described, not generated as a call. */
export interface ProtocolActionIR {
  readonly id: string
  readonly group: string
  readonly kind: string
  readonly description?: string | undefined
  /** The protocol file's description of the action, kept as data (frame shapes, urls). */
  readonly details: Readonly<Record<string, unknown>>
}

/** An error name the vendor sends in `errors[].name`, and how it is retried. */
export interface ProtocolErrorIR extends DocIR {
  readonly name: string
  /** The generated error class. */
  readonly tag: string
  readonly retry:
    | { readonly kind: "never" }
    | { readonly kind: "backoff" }
    | { readonly kind: "limited"; readonly times: number; readonly within: string }
}

/** A GraphQL API: SDL, operation documents and the transport facts of its protocol file. */
export interface GraphQLApiIR extends DocIR {
  readonly vendor: string
  readonly title: string
  readonly endpoints: { readonly http: string; readonly websocket: string }
  readonly groups: ReadonlyArray<GroupIR>
  readonly enums: ReadonlyArray<GraphQLEnumIR>
  readonly inputs: ReadonlyArray<GraphQLInputObjectIR>
  readonly operations: ReadonlyArray<GraphQLOperationIR>
  readonly actions: ReadonlyArray<ProtocolActionIR>
  readonly errors: ReadonlyArray<ProtocolErrorIR>
  /** The schema as graphql-js prints it (descriptions kept, comments dropped), for mocks. */
  readonly sdl: string
}
