/**
 * The independent oracle: openapi-typescript derives TypeScript types from the same spec, and a
 * generated type-level test checks that our Schemas' wire (Encoded) types agree with them, for
 * every model, every success response, and the path, query and body inputs of every operation.
 *
 * Agreement means assignable both ways. Schemas the spec deliberately makes more lenient than
 * openapi-typescript can express (open enums, recursive references) are checked one way only: every
 * value openapi-typescript allows must be accepted by our Schema.
 */
import type * as IR from "../ir/types.ts"
import { packageNames } from "./naming.ts"
import { emitFile, createProject, type Files } from "./project.ts"
import type { PackageTarget } from "./package.ts"

const js = (value: unknown) => JSON.stringify(value)

/** Whether a schema, following references, decodes more than openapi-typescript's type allows. */
const lenient = (api: IR.ApiIR) => {
  const models = new Map(api.models.map((model) => [model.name, model]))
  const memo = new Map<string, boolean>()
  const visit = (node: IR.SchemaIR, stack: Set<string>): boolean => {
    switch (node.kind) {
      case "ref": {
        if (stack.has(node.name)) return true
        const known = memo.get(node.name)
        if (known !== undefined) return known
        stack.add(node.name)
        const result = visit(models.get(node.name)!.schema, stack)
        stack.delete(node.name)
        memo.set(node.name, result)
        return result
      }
      case "literal":
        return node.open
      case "array":
        return visit(node.items, stack)
      case "object":
        // A readOnly property is optional on the wire here, since one Schema serves requests too.
        return node.properties.some((p) => (p.readOnly === true && p.required) || visit(p.schema, stack)) ||
          (node.additional !== false && visit(node.additional, stack))
      case "union":
        return node.members.some((member) => visit(member, stack))
      case "nullable":
        return visit(node.inner, stack)
      default:
        return false
    }
  }
  return (node: IR.SchemaIR) => visit(node, new Set())
}

/** The oracle's files: openapi-typescript's output and the assertions against it. */
export const emitOracle = (api: IR.ApiIR, oracleTypes: string, target: PackageTarget): Files => {
  const names = packageNames(api)
  const isLenient = lenient(api)
  const dir = `${target.packageDir}/test/generated`
  const checks: Array<string> = []
  const check = (label: string, ours: string, theirs: string, oneWay: boolean) =>
    checks.push(`/** ${label} */\nexport type ${`Check${checks.length}`} = Assert<${oneWay ? "Accepts" : "Agrees"}<${ours}, ${theirs}>>`)

  for (const model of api.models) {
    const name = names.model(model.name)
    check(`model ${model.specName}`, `(typeof G.${name})["Encoded"]`, `components["schemas"][${js(model.specName)}]`, isLenient(model.schema))
  }
  for (const operation of api.operations) {
    if (operation.variantOf !== undefined) continue
    const operationNames = names.operation(operation.id)
    const theirs = `operations[${js(operation.id)}]`
    for (const response of operation.responses) {
      const success = typeof response.status === "number" && response.status >= 200 && response.status < 300
      if (!success || response.schema === undefined || response.headers !== undefined || response.contentType === undefined) continue
      const ours = response.schema.kind === "ref"
        ? `(typeof G.${names.model(response.schema.name)})["Encoded"]`
        : `(typeof G.${
          operation.responses.filter((r) => r.schema !== undefined && r.schema.kind !== "ref" && typeof r.status === "number" &&
              r.status >= 200 && r.status < 300).length > 1
            ? `${operationNames.response}${response.status}`
            : operationNames.response
        })["Encoded"]`
      check(
        `${operation.id} ${response.status} response`,
        ours,
        `${theirs}["responses"][${response.status}]["content"][${js(response.contentType)}]`,
        isLenient(response.schema)
      )
    }
    for (const location of ["path", "query"] as const) {
      const params = operation.params.filter((p) => p.in === location)
      if (params.length === 0 || params.some((p) => p.name !== p.wireName)) continue
      check(
        `${operation.id} ${location} parameters`,
        `Pick<(typeof G.${operationNames.params})["Encoded"], ${params.map((p) => js(p.name)).join(" | ")}>`,
        `NonNullable<${theirs}["parameters"][${js(location)}]>`,
        params.some((p) => isLenient(p.schema))
      )
    }
    const body = operation.body
    if (body !== undefined && body.source.kind === "param" && body.encoding === "json") {
      check(
        `${operation.id} request body`,
        `NonNullable<(typeof G.${operationNames.params})["Encoded"]["body"]>`,
        `NonNullable<${theirs}["requestBody"]>["content"][${js(body.contentType)}]`,
        isLenient(body.schema)
      )
    }
  }

  const project = createProject()
  const typesFile = emitFile(project, "/openapi-typescript.ts", `${target.source} by openapi-typescript`, [oracleTypes])
  const assertions = emitFile(project, "/oracle.ts", target.source, [
    `import type * as G from "../../src/generated/index.ts"`,
    `import type { components, operations } from "./openapi-typescript.ts"`,
    `/**\n * Deeply readonly, so mutability does not count as disagreement. openapi-typescript types a bare\n * \`type: object\` as \`Record<string, never>\`; the spec means any object, so that reads as one.\n */\n` +
    `type Wire<T> = T extends ReadonlyArray<infer U> ? ReadonlyArray<Wire<U>>\n` +
    `  : T extends object ? string extends keyof T ? [T[string]] extends [never] ? { readonly [key: string]: unknown }\n` +
    `  : { readonly [K in keyof T]: Wire<T[K]> }\n` +
    `  : { readonly [K in keyof T]: Wire<T[K]> }\n` +
    `  : T`,
    `/** Every value openapi-typescript allows is accepted by our Schema. */\ntype Accepts<Ours, Theirs> = [Wire<Theirs>] extends [Wire<Ours>] ? true : false`,
    `/** Our wire type and openapi-typescript's are assignable both ways. */\ntype Agrees<Ours, Theirs> = [Wire<Ours>] extends [Wire<Theirs>] ? Accepts<Ours, Theirs> : false`,
    `type Assert<T extends true> = T`,
    ...checks
  ])
  return new Map([
    [`${dir}/openapi-typescript.ts`, typesFile],
    [`${dir}/oracle.ts`, assertions]
  ])
}
