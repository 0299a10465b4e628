/**
 * The public namespace: the v2 registry has every operationId of the Kommo reference with its method
 * and path, and `Kommo.V4` carries amoCRM's whole v4 registry.
 */
import { describe, expect, it } from "@effect/vitest"
import { Kommo, operations } from "@vendor-sdk/kommo"
import * as Generated from "../src/generated/index.ts"
import { Reference } from "@vendor-sdk/mock"

type Registry = Record<string, { method: string; path: string; server?: { url: string }; pagination?: unknown }>

describe("public namespace", () => {
  it("re-exports every generated v2 name unchanged", () => {
    for (const [name, value] of Object.entries(Generated)) {
      expect([name, (Kommo as Record<string, unknown>)[name]]).toEqual([name, value])
    }
  })

  it("has every v2 operationId of the Kommo reference, with its method and path, paged where marked", () => {
    const rows = Reference.operations("kommo")
    expect(rows.length).toBe(33)
    for (const row of rows) {
      const op = (operations as Registry)[row.operationId]
      expect([row.operationId, op === undefined ? "missing" : Reference.matches(row, op)]).toEqual([row.operationId, true])
      if (row.paginated.startsWith("yes")) expect([row.operationId, op?.pagination !== undefined]).toEqual([row.operationId, true])
    }
  })

  it("has every v4 operationId (amoCRM's table) under Kommo.V4", () => {
    for (const row of Reference.operations("amocrm")) {
      const op = (Kommo.V4.operations as Registry)[row.operationId]
      expect([row.operationId, op === undefined ? "missing" : Reference.matches(row, op)]).toEqual([row.operationId, true])
    }
  })
})
