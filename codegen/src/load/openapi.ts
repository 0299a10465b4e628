/**
 * Load stage for OpenAPI: parse, check the version and our extension vocabulary, and validate the
 * document with openapi-typescript (which lints it with Redocly and fails on errors). The types
 * openapi-typescript derives are kept: they are the independent oracle the type-level tests compare
 * our generated Schemas against.
 */
import * as fs from "node:fs/promises"
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript"
import * as YAML from "yaml"

/** A parsed OpenAPI document with the path it came from. */
export interface LoadedOpenApi {
  readonly path: string
  readonly document: OpenAPI3
}

/** A problem with a spec; the message says where. */
export class SpecError extends Error {
  override readonly name = "SpecError"
}

const rootExtensions = new Set(["x-errors", "x-rate-limit", "x-retry", "x-response-warning", "x-source", "x-unconfirmed"])
const operationExtensions = new Set(["x-pagination", "x-variants", "x-unconfirmed", "x-source"])
const parameterExtensions = new Set(["x-style", "x-unconfirmed", "x-source"])

const checkExtensions = (node: object, allowed: ReadonlySet<string>, where: string) => {
  for (const key of Object.keys(node)) {
    if (key.startsWith("x-") && !allowed.has(key)) {
      throw new SpecError(`${where}: unknown extension ${key} (see codegen/README.md for the known ones)`)
    }
  }
}

const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const

/**
 * Parses a YAML or JSON spec and checks what the generator relies on. Our own specs are `strict`:
 * an unknown `x-` key is a typo and fails. Foreign specs (robustness runs) carry extensions of their
 * own, which are ignored.
 */
export const loadOpenApi = async (
  path: string,
  options: { readonly strict?: boolean | undefined } = {}
): Promise<LoadedOpenApi> => {
  const text = await fs.readFile(path, "utf8")
  let document: OpenAPI3
  try {
    document = (path.endsWith(".json") ? JSON.parse(text) : YAML.parse(text, { maxAliasCount: -1 })) as OpenAPI3
  } catch (cause) {
    throw new SpecError(`${path}: not parseable: ${(cause as Error).message}`)
  }
  if (typeof document !== "object" || document === null || typeof document.openapi !== "string") {
    throw new SpecError(`${path}: not an OpenAPI document (no "openapi" version)`)
  }
  if (!document.openapi.startsWith("3.")) throw new SpecError(`${path}: OpenAPI ${document.openapi} is not supported`)
  if (options.strict === false) return { path, document }
  checkExtensions(document, rootExtensions, `${path} (root)`)
  for (const [route, item] of Object.entries(document.paths ?? {})) {
    for (const method of methods) {
      const operation = (item as Record<string, unknown>)[method]
      if (operation === undefined) continue
      const where = `${path}: ${method.toUpperCase()} ${route}`
      checkExtensions(operation as object, operationExtensions, where)
      for (const parameter of ((operation as { parameters?: Array<object> }).parameters ?? [])) {
        checkExtensions(parameter, parameterExtensions, `${where} parameter`)
      }
    }
  }
  return { path, document }
}

/**
 * Validates the document with openapi-typescript and returns the TypeScript it derives from it.
 * Throws when Redocly finds an error in the document.
 */
export const openapiTypescript = async (loaded: LoadedOpenApi): Promise<string> => {
  const nodes = await openapiTS(structuredClone(loaded.document) as never, {
    silent: true,
    alphabetize: false,
    exportType: false,
    // A default makes a field optional for the sender; openapi-typescript's default would make it required.
    defaultNonNullable: false
  })
  return astToString(nodes)
}
