/**
 * The vendor reference's operation tables (`shared/vendor-reference/<vendor>.operations.tsv`, beside
 * the repository): the contract every spec must cover. Tests check the registries against them.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../../../../shared/vendor-reference")

export interface Row {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly group: string
  /** `no`, or `yes: <style>`. */
  readonly paginated: string
}

export const operations = (vendor: string): Array<Row> =>
  Fs.readFileSync(Path.join(root, `${vendor}.operations.tsv`), "utf8").trim().split("\n").slice(1).map((line) => {
    const [operationId, method, path, group, paginated] = line.split("\t") as [string, string, string, string, string]
    return { operationId, method, path, group, paginated }
  })

/** Whether the TSV names a host of its own (or a URL the API hands out, such as `{upload_url}`). */
export const ownServer = (path: string): boolean => /^https?:\/\//.test(path) || /^\{[a-z_]+\}$/.test(path)

/** The TSV path without scheme, host and literal query, as the spec's paths are relative to a server. */
export const relativePath = (path: string): string => path.replace(/^https?:\/\/[^/]+/, "").split("?")[0]!

/** The server URL and path of an operation descriptor, compared with a TSV row. */
export const matches = (row: Row, op: { readonly method: string; readonly path: string; readonly server?: { readonly url: string } | undefined }) =>
  op.method === row.method && (
    row.path === "{upload_url}" ? op.server !== undefined : op.path === relativePath(row.path) && (ownServer(row.path) === (op.server !== undefined))
  )
