/**
 * The public namespace: every generated name is re-exported unchanged, and the registry has every
 * operationId of the vendor reference with its method and path.
 */
import { describe, expect, it } from "@effect/vitest"
import { AmoCRM, operations } from "@vendor-sdk/amocrm"
import * as Generated from "../src/generated/index.ts"
import { Reference } from "@vendor-sdk/mock"

describe("public namespace", () => {
  it("re-exports every generated name unchanged: hand-written parts shadow nothing", () => {
    for (const [name, value] of Object.entries(Generated)) {
      expect([name, (AmoCRM as Record<string, unknown>)[name]]).toEqual([name, value])
    }
  })

  it("has every operationId of the vendor reference, with its method, path and server", () => {
    const rows = Reference.operations("amocrm")
    expect(rows.length).toBe(168)
    const registry = operations as Record<string, { method: string; path: string; server?: { url: string }; vendor: { name: string } }>
    for (const row of rows) {
      const op = registry[row.operationId]
      expect([row.operationId, op === undefined ? "missing" : Reference.matches(row, op)]).toEqual([row.operationId, true])
    }
  })

  it("pages every list the reference marks as paginated, with a Stream method", () => {
    const registry = operations as Record<string, { pagination?: unknown }>
    const paged = Reference.operations("amocrm").filter((row) => row.paginated.startsWith("yes"))
    expect(paged.length).toBeGreaterThan(20)
    for (const row of paged) expect([row.operationId, registry[row.operationId]?.pagination !== undefined]).toEqual([row.operationId, true])
  })
})
