import { describe, expect, it } from "@effect/vitest"
import { HelpScout, operations } from "@vendor-sdk/helpscout"
import * as Generated from "../src/generated/index.ts"
import { Reference } from "@vendor-sdk/mock"

describe("public namespace", () => {
  it("re-exports every generated name unchanged: hand-written parts shadow nothing", () => {
    for (const [name, value] of Object.entries(Generated)) {
      expect([name, (HelpScout as Record<string, unknown>)[name]]).toEqual([name, value])
    }
  })

  it("has every operationId of the vendor reference, with its method and path", () => {
    const rows = Reference.operations("helpscout")
    expect(rows.length).toBe(110)
    for (const row of rows) {
      const op = (operations as Record<string, { method: string; path: string; server?: { url: string } }>)[row.operationId]
      expect([row.operationId, op?.method]).toEqual([row.operationId, row.method])
      expect([row.operationId, op?.path]).toEqual([row.operationId, Reference.relativePath(row.path)])
    }
  })
})
