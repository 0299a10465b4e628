/**
 * The vendor reference's operation table (shared/vendor-reference/sendbee.operations.tsv, beside the
 * repository), the contract the spec must cover.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../../../../shared/vendor-reference")

export interface Row {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly group: string
  readonly paginated: string
}

export const operations = (vendor: string): Array<Row> =>
  Fs.readFileSync(Path.join(root, `${vendor}.operations.tsv`), "utf8").trim().split("\n").slice(1).map((line) => {
    const [operationId, method, path, group, paginated] = line.split("\t") as [string, string, string, string, string]
    return { operationId, method, path, group, paginated }
  })
