/**
 * Top-level names of a generated package. Everything is re-exported flat from the package's
 * namespace, so every name must be unique across its files.
 */
import { camelCase, isIdentifier, pascalCase, reserved } from "../ir/names.ts"
import type * as IR from "../ir/types.ts"

const keywords = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "arguments", "eval"
])

/** The names the vendor module declares. */
export const vendorKeys = ["vendor", "Auth", "Client", "Endpoint", "Retry", "RateLimit", "DeclaredError", "Failure"]

/** Per-operation names. */
export interface OperationNames {
  /** The descriptor constant. */
  readonly descriptor: string
  /** The service method, and its stream method when paginated. */
  readonly method: string
  readonly streamMethod: string
  readonly params: string
  readonly response: string
  readonly item: string
}

/** Every name of a package. */
export interface PackageNames {
  readonly model: (irName: string) => string
  readonly group: (tag: string) => string
  readonly operation: (id: string) => OperationNames
}

/** Assigns the names; models keep theirs unless another export needs it. */
export const packageNames = (api: IR.ApiIR): PackageNames => {
  const taken = new Set<string>([...vendorKeys, "layer", "operations", ...reserved])
  for (const error of api.errors.custom) taken.add(error.tag)
  const claim = (wanted: string): string => {
    let name = wanted
    for (let n = 2; taken.has(name) || keywords.has(name); n++) name = `${wanted}${n}`
    taken.add(name)
    return name
  }
  const groups = new Map(api.groups.map((group) => [group.tag, claim(taken.has(group.name) ? `${group.name}Service` : group.name)]))
  const models = new Map(api.models.map((model) => [model.name, claim(taken.has(model.name) ? `${model.name}Model` : model.name)]))
  const operations = new Map<string, OperationNames>()
  const methodsByGroup = new Map<string, Set<string>>()
  for (const operation of api.operations) {
    const base = isIdentifier(operation.id) ? operation.id : camelCase(operation.id)
    const type = pascalCase(operation.id)
    const methods = methodsByGroup.get(operation.group) ?? new Set<string>(["withResponse"])
    methodsByGroup.set(operation.group, methods)
    let method = keywords.has(base) ? `${base}Operation` : base
    for (let n = 2; methods.has(method); n++) method = `${base}${n}`
    methods.add(method)
    const streamMethod = `${method}Stream`
    methods.add(streamMethod)
    operations.set(operation.id, {
      descriptor: claim(keywords.has(base) ? `${base}Operation` : base),
      method,
      streamMethod,
      params: claim(`${type}Params`),
      response: claim(`${type}Response`),
      item: claim(`${type}Item`)
    })
  }
  return {
    model: (name) => models.get(name) ?? name,
    group: (tag) => groups.get(tag)!,
    operation: (id) => operations.get(id)!
  }
}
