/**
 * The public surface: every operationId of the vendor reference, with its method and path, and the
 * hand-written parts beside the generated ones without shadowing any.
 */
import { describe, expect, it } from "@effect/vitest"
import { operations, Sendbee } from "@vendor-sdk/sendbee"
import * as Generated from "../src/generated/index.ts"
import { Reference } from "@vendor-sdk/mock"

describe("public namespace", () => {
  it("re-exports every generated name unchanged: hand-written parts shadow nothing", () => {
    for (const [name, value] of Object.entries(Generated)) {
      expect([name, (Sendbee as Record<string, unknown>)[name]]).toEqual([name, value])
    }
    expect(Object.keys(Sendbee)).toEqual(expect.arrayContaining(["layerAuth", "layerConfig", "Webhooks", "authenticator"]))
  })

  it("has every operationId of the vendor reference, with its method, path and group", () => {
    const rows = Reference.operations("sendbee")
    expect(rows.length).toBe(24)
    expect(Object.keys(operations).sort()).toEqual(rows.map((row) => row.operationId).sort())
    for (const row of rows) {
      const op = (operations as Record<string, { method: string; path: string }>)[row.operationId]
      expect([row.operationId, op?.method, op?.path]).toEqual([row.operationId, row.method, row.path])
    }
  })

  it("marks the paginated operations of the reference, and only those, as paginated by meta", () => {
    for (const row of Reference.operations("sendbee")) {
      const op = (operations as Record<string, { pagination?: { totalPages?: ReadonlyArray<string> } }>)[row.operationId]
      const paged = row.paginated.startsWith("yes")
      expect([row.operationId, op?.pagination?.totalPages]).toEqual([row.operationId, paged ? ["meta", "last_page"] : undefined])
    }
  })
})
