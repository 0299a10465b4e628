/**
 * Dotted paths into decoded JSON, as the spec extensions write them (`_embedded.conversations`,
 * `validation-errors.*.errors`). A `*` segment maps over an array and flattens the results.
 */

/** A parsed path: its segments. */
export type Path = ReadonlyArray<string>

/** All values found at `path`; more than one only when the path has a `*` segment. */
export const getAll = (value: unknown, path: Path): Array<unknown> => {
  let current: Array<unknown> = [value]
  for (const segment of path) {
    const next: Array<unknown> = []
    for (const node of current) {
      if (segment === "*") {
        if (Array.isArray(node)) next.push(...node)
      } else if (Array.isArray(node) && /^\d+$/.test(segment)) {
        const item = node[Number(segment)]
        if (item !== undefined) next.push(item)
      } else if (typeof node === "object" && node !== null && segment in node) {
        const item = (node as Record<string, unknown>)[segment]
        if (item !== undefined) next.push(item)
      }
    }
    current = next
  }
  return current
}

/** The first value at `path`, or `undefined`. */
export const get = (value: unknown, path: Path): unknown => getAll(value, path)[0]

/** The first of `paths` that holds a non-empty string or a number, as a string. */
export const firstString = (value: unknown, paths: ReadonlyArray<Path>): string | undefined => {
  for (const path of paths) {
    for (const found of getAll(value, path)) {
      if (typeof found === "string" && found.length > 0) return found
      if (typeof found === "number") return String(found)
    }
  }
  return undefined
}
