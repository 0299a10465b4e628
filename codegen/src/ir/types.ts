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
  readonly groups: ReadonlyArray<GroupIR>
  readonly models: ReadonlyArray<ModelIR>
  readonly operations: ReadonlyArray<OperationIR>
}
