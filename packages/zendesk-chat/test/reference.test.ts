/**
 * The package against the vendor reference: every operationId of the TSV is in the `operations`
 * registry with its group and transport, every GraphQL document validates against the SDL the
 * package carries, and the public namespace re-exports the generated names unchanged.
 */
import { describe, expect, it } from "@effect/vitest"
import { operations, ZendeskChat } from "@vendor-sdk/zendesk-chat"
import { buildSchema, parse, validate } from "graphql"
import * as Generated from "../src/generated/index.ts"
import { referenceOperations } from "./support.ts"

type Entry = {
  readonly operationId: string
  readonly group: string
  readonly transport: string
  readonly kind: string
  readonly rootField?: string
  readonly operation?: { readonly document: string; readonly kind: string; readonly name: string }
  readonly pagination?: unknown
}

const registry = operations as unknown as Record<string, Entry>

// The TSV's method column: GQL-<KIND>-<TRANSPORT> for GraphQL rows, WS-<ACTION> for protocol frames.
const expected = (method: string) => {
  const graphql = /^GQL-(QUERY|MUTATION|SUBSCRIPTION)-(HTTP|WS)$/.exec(method)
  if (graphql !== null) {
    return { kind: graphql[1]!.toLowerCase(), transport: graphql[2] === "HTTP" ? "http" : "websocket" }
  }
  const action = { "WS-CONNECT": "connect", "WS-SIGNAL": "signal", "WS-CONTROL": "control" }[method]
  return { kind: action, transport: "websocket" }
}

describe("vendor reference", () => {
  it("has every operationId of the TSV, with its group, kind and transport, and nothing else", () => {
    const rows = referenceOperations()
    expect(rows.length).toBe(21)
    expect(Object.keys(registry).sort()).toEqual(rows.map((row) => row.operationId).sort())
    for (const row of rows) {
      const entry = registry[row.operationId]!
      expect([row.operationId, entry.group, entry.kind, entry.transport]).toEqual([
        row.operationId,
        row.group,
        expected(row.method).kind,
        expected(row.method).transport
      ])
      // The TSV path ends in `#Type.field` for GraphQL rows.
      const field = row.path.split("#")[1]!
      if (entry.operation !== undefined) expect([row.operationId, entry.rootField]).toEqual([row.operationId, field])
      expect([row.operationId, entry.pagination !== undefined]).toEqual([row.operationId, row.paginated.startsWith("yes")])
    }
  })

  it("generates each GraphQL row as an operation named after it, whose document is valid for the SDL", () => {
    const schema = buildSchema(ZendeskChat.sdl)
    const graphql = Object.values(registry).filter((entry) => entry.operation !== undefined)
    expect(graphql.length).toBe(18)
    for (const entry of graphql) {
      expect([entry.operationId, entry.operation!.name, entry.operation!.kind]).toEqual([entry.operationId, entry.operationId, entry.kind])
      expect([entry.operationId, validate(schema, parse(entry.operation!.document)).map(String)]).toEqual([entry.operationId, []])
    }
  })

  it("puts every WebSocket operation in the client's group, and startAgentSession alone in the HTTP group", () => {
    expect(ZendeskChat.group.operations.map((op) => op.name).sort()).toEqual(
      Object.values(registry).filter((e) => e.transport === "websocket" && e.operation !== undefined).map((e) => e.operationId).sort()
    )
    expect(ZendeskChat.httpGroup.operations.map((op) => op.name)).toEqual(["startAgentSession"])
  })

  it("re-exports every generated name unchanged: hand-written parts shadow nothing", () => {
    for (const [name, value] of Object.entries(Generated)) {
      expect([name, (ZendeskChat as Record<string, unknown>)[name]]).toEqual([name, value])
    }
  })
})
