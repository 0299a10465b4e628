/** The packages `pnpm generate` writes, and the spec each is generated from. */
export interface Target {
  /** The vendor package name; also the prefix of span names and service keys. */
  readonly vendor: string
  /** `openapi`: an OpenAPI document. `graphql`: an SDL beside `operations/*.graphql` and `protocol.yaml`. */
  readonly kind: "openapi" | "graphql"
  /** The spec, relative to the repository root. */
  readonly spec: string
  /** The package directory, relative to the repository root. */
  readonly packageDir: string
}

export const targets: ReadonlyArray<Target> = [
  { vendor: "helpscout", kind: "openapi", spec: "specs/helpscout/openapi.yaml", packageDir: "packages/helpscout" },
  { vendor: "sendbee", kind: "openapi", spec: "specs/sendbee/openapi.yaml", packageDir: "packages/sendbee" },
  { vendor: "amocrm", kind: "openapi", spec: "specs/amocrm/openapi.yaml", packageDir: "packages/amocrm" },
  { vendor: "kommo", kind: "openapi", spec: "specs/kommo/openapi-v2.yaml", packageDir: "packages/kommo" },
  { vendor: "zendesk-chat", kind: "graphql", spec: "specs/zendesk-chat/schema.graphql", packageDir: "packages/zendesk-chat" }
]
