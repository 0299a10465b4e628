/**
 * Wire serialisation of already Schema-encoded parameter values.
 *
 *
 * The styles are OpenAPI's (`form`, `simple`, `spaceDelimited`, `pipeDelimited`, `deepObject`) plus
 * `brackets`: the PHP `http_build_query` convention (`filter[id][]=1&filter[updated_at][from]=2`)
 * that deepObject leaves undefined for arrays and nesting.
 *
 * @since 0.1.0
 */

/** How one parameter is put on the wire. */
export type Style = "simple" | "form" | "spaceDelimited" | "pipeDelimited" | "deepObject" | "brackets"

type Pair = readonly [string, string]

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !(u instanceof Uint8Array)

/** A scalar as it appears in a URL or header: booleans as `true`/`false`, never `[object Object]`. */
export const scalar = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return value
    case "number":
    case "boolean":
    case "bigint":
      return String(value)
    default:
      return JSON.stringify(value)
  }
}

/** The separator of array items in each style. */
export const delimiters: Record<Style, string> = {
  simple: ",",
  form: ",",
  spaceDelimited: " ",
  pipeDelimited: "|",
  deepObject: ",",
  brackets: ","
}

/** Key/value pairs for a query parameter, in the order they must appear. */
export const queryPairs = (name: string, value: unknown, style: Style, explode: boolean): Array<Pair> => {
  if (value === undefined || value === null) return []
  if (style === "brackets") return bracketPairs(name, value)
  if (style === "deepObject") {
    return isRecord(value) ? bracketPairs(name, value) : [[name, scalar(value)]]
  }
  if (Array.isArray(value)) {
    const items = value.filter((item) => item !== undefined && item !== null).map(scalar)
    if (items.length === 0) return []
    return explode && style === "form"
      ? items.map((item) => [name, item] as const)
      : [[name, items.join(delimiters[style])]]
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null)
    return explode
      ? entries.map(([k, v]) => [k, scalar(v)] as const)
      : [[name, entries.flatMap(([k, v]) => [k, scalar(v)]).join(",")]]
  }
  return [[name, scalar(value)]]
}

/** PHP-style nested keys: `a[b][]=1`. Empty arrays and objects produce nothing, as in PHP. */
export const bracketPairs = (prefix: string, value: unknown): Array<Pair> => {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      isRecord(item) || Array.isArray(item)
        ? bracketPairs(`${prefix}[${index}]`, item)
        : bracketPairs(`${prefix}[]`, item)
    )
  }
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, item]) => bracketPairs(`${prefix}[${key}]`, item))
  }
  return [[prefix, scalar(value)]]
}

/**
 * A path parameter, percent-encoded (`simple` style: arrays comma-joined). With `allowReserved`,
 * reserved characters such as `/` stay as they are.
 */
export const pathSegment = (value: unknown, allowReserved = false): string => {
  const encode = allowReserved ? encodeURI : encodeURIComponent
  return Array.isArray(value) ? value.map((item) => encode(scalar(item))).join(",") : encode(scalar(value))
}

/** A header value (`simple` style). */
export const headerValue = (value: unknown): string =>
  Array.isArray(value) ? value.map(scalar).join(",") : isRecord(value)
    ? Object.entries(value).flatMap(([k, v]) => [k, scalar(v)]).join(",")
    : scalar(value)

/** Form bodies nest with brackets, like the query strings of the PHP SDKs the vendors test against. */
export const formPairs = (body: unknown): Array<Pair> =>
  isRecord(body) ? Object.entries(body).flatMap(([key, value]) => bracketPairs(key, value)) : []

/** Writes `value` at `path` inside `target`, creating objects on the way. */
export const setAtPath = (target: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown): void => {
  let cursor = target
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!
    const next = cursor[key]
    if (!isRecord(next)) {
      const created: Record<string, unknown> = {}
      cursor[key] = created
      cursor = created
    } else {
      cursor = next
    }
  }
  cursor[path[path.length - 1]!] = value
}
