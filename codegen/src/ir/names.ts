/** Naming rules shared by the front ends: spec names to TypeScript identifiers. */

const words = (raw: string): Array<string> =>
  raw
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)

/** `customer-entries` → `CustomerEntries`, `simple_user` → `SimpleUser`. */
export const pascalCase = (raw: string): string => {
  const joined = words(raw).map((word) => word[0]!.toUpperCase() + word.slice(1)).join("")
  return /^[0-9]/.test(joined) ? `N${joined}` : joined.length === 0 ? "Unnamed" : joined
}

/** `If-Modified-Since` → `ifModifiedSince`. */
export const camelCase = (raw: string): string => {
  const pascal = pascalCase(raw)
  return pascal[0]!.toLowerCase() + pascal.slice(1)
}

/** Whether a string can be used as a property name without quotes. */
export const isIdentifier = (name: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)

/** A property key as written in an object literal. */
export const propertyKey = (name: string): string => isIdentifier(name) ? name : JSON.stringify(name)

/** Names a generated module declares or imports itself; a model with one of them gets a suffix. */
export const reserved = new Set([
  "Array",
  "Boolean",
  "Context",
  "Core",
  "Date",
  "DateTime",
  "Effect",
  "Error",
  "Layer",
  "Map",
  "Number",
  "Object",
  "Option",
  "Promise",
  "Record",
  "Redacted",
  "Schema",
  "Set",
  "Stream",
  "String",
  "Symbol"
])

/** Gives each raw name a distinct identifier, stable for a given input order. */
export const uniqueNames = (raws: ReadonlyArray<string>, make: (raw: string) => string): Map<string, string> => {
  const taken = new Set<string>()
  const result = new Map<string, string>()
  for (const raw of raws) {
    let base = make(raw)
    if (reserved.has(base)) base = `${base}Model`
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`
    taken.add(name)
    result.set(raw, name)
  }
  return result
}
