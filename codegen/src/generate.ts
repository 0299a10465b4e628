/**
 * One generation run: spec → IR → files, for one target or an ad-hoc spec.
 */
import * as path from "node:path"
import { emitGraphQLPackage } from "./emit/graphql.ts"
import { emitOracle } from "./emit/oracle.ts"
import { emitOpenApiPackage } from "./emit/package.ts"
import type { Files } from "./emit/project.ts"
import { normaliseGraphQL } from "./ir/graphql.ts"
import { normaliseOpenApi } from "./ir/openapi.ts"
import type { ApiIR, GraphQLApiIR } from "./ir/types.ts"
import { loadGraphQL } from "./load/graphql.ts"
import { loadOpenApi, openapiTypescript } from "./load/openapi.ts"
import type { Target } from "./targets.ts"

/** The files of one target and how long each stage took. */
export interface Generated<I extends ApiIR | GraphQLApiIR = ApiIR> {
  readonly files: Files
  readonly ir: I
  /** Operations and models (GraphQL: enums and input objects) generated. */
  readonly counts: { readonly operations: number; readonly models: number }
  readonly timings: { readonly load: number; readonly validate: number; readonly normalise: number; readonly emit: number }
}

interface Options {
  readonly oracle?: boolean
  readonly strict?: boolean
}

/** Runs the pipeline for a target. `root` is the repository root. */
export function generateTarget(root: string, target: Target & { readonly kind: "openapi" }, options?: Options): Promise<Generated>
export function generateTarget(root: string, target: Target, options?: Options): Promise<Generated<ApiIR | GraphQLApiIR>>
export async function generateTarget(root: string, target: Target, options: Options = {}): Promise<Generated<ApiIR | GraphQLApiIR>> {
  if (target.kind === "graphql") return generateGraphQLTarget(root, target)
  const t0 = performance.now()
  const loaded = await loadOpenApi(path.join(root, target.spec), { strict: options.strict })
  const t1 = performance.now()
  const oracleTypes = await openapiTypescript(loaded)
  const t2 = performance.now()
  const ir = normaliseOpenApi({ ...loaded, path: target.spec }, { vendor: target.vendor })
  const t3 = performance.now()
  const files = emitOpenApiPackage(ir, { source: target.spec, packageDir: target.packageDir })
  if (options.oracle !== false) {
    for (const [file, text] of emitOracle(ir, oracleTypes, { source: target.spec, packageDir: target.packageDir })) {
      files.set(file, text)
    }
  }
  const t4 = performance.now()
  return {
    files,
    ir,
    counts: { operations: ir.operations.length, models: ir.models.length },
    timings: { load: t1 - t0, validate: t2 - t1, normalise: t3 - t2, emit: t4 - t3 }
  }
}

/** SDL and operation documents → IR → files. The documents are validated against the SDL while loading. */
const generateGraphQLTarget = async (root: string, target: Target): Promise<Generated<GraphQLApiIR>> => {
  const t0 = performance.now()
  const loaded = await loadGraphQL(path.join(root, target.spec))
  const t1 = performance.now()
  const ir = normaliseGraphQL(loaded, { vendor: target.vendor })
  const t2 = performance.now()
  const files = emitGraphQLPackage(ir, { source: target.spec, packageDir: target.packageDir })
  const t3 = performance.now()
  return {
    files,
    ir,
    counts: { operations: ir.operations.length + ir.actions.length, models: ir.enums.length + ir.inputs.length },
    timings: { load: t1 - t0, validate: 0, normalise: t2 - t1, emit: t3 - t2 }
  }
}
