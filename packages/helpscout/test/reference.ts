/**
 * The vendor reference's operation tables (shared/vendor-reference/<vendor>.operations.tsv, beside
 * the repository), the contract every spec must cover.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../../../../shared/vendor-reference")

export interface Row {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly group: string
}

export const operations = (vendor: string): Array<Row> =>
  Fs.readFileSync(Path.join(root, `${vendor}.operations.tsv`), "utf8").trim().split("\n").slice(1).map((line) => {
    const [operationId, method, path, group] = line.split("\t") as [string, string, string, string]
    return { operationId, method, path, group }
  })

/** The TSV path without scheme and host, as the spec's paths are relative to its server. */
export const relativePath = (path: string): string =>
  /^https?:\/\//.test(path) ? new URL(path).pathname : path.split("?")[0]!
