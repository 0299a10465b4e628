/**
 * One generation run: spec → IR → files, for one target or an ad-hoc spec.
 */
import * as path from "node:path"
import { emitOracle } from "./emit/oracle.ts"
import { emitOpenApiPackage } from "./emit/package.ts"
import type { Files } from "./emit/project.ts"
import { normaliseOpenApi } from "./ir/openapi.ts"
import type { ApiIR } from "./ir/types.ts"
import { loadOpenApi, openapiTypescript } from "./load/openapi.ts"
import type { Target } from "./targets.ts"

/** The files of one target and how long each stage took. */
export interface Generated {
  readonly files: Files
  readonly ir: ApiIR
  readonly timings: { readonly load: number; readonly validate: number; readonly normalise: number; readonly emit: number }
}

/** Runs the pipeline for a target. `root` is the repository root. */
export const generateTarget = async (
  root: string,
  target: Target,
  options: { readonly oracle?: boolean; readonly strict?: boolean } = {}
): Promise<Generated> => {
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
  return { files, ir, timings: { load: t1 - t0, validate: t2 - t1, normalise: t3 - t2, emit: t4 - t3 } }
}
