/** JavaScript literals in generated code. */
import { propertyKey } from "../ir/names.ts"

/** A JavaScript literal: like JSON, but with bare keys where they are identifiers. */
export const literal = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(", ")} }`
  }
  return JSON.stringify(value)
}
