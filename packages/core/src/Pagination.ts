/**
 * Lazy, constant-memory Streams over paginated operations.
 *
 * One implementation serves every vendor; the operation's `x-pagination` says how its pages work:
 * a page number to increment, an offset to advance, or a link to follow, and what ends the list.
 * A page is fetched only when the consumer pulls past the previous one.
 *
 * The stream ends on the first of: an empty or missing item list (Help Scout omits `_embedded` on an
 * empty list; amoCRM answers 204), the last page the vendor reports, a missing next link, or a short
 * page in offset paging.
 *
 * @since 0.1.0
 */
import { Effect, Option, Stream } from "effect"
import * as JsonPath from "./internal/path.ts"
import type * as Operation from "./Operation.ts"

interface State<P> {
  readonly params: P
  readonly url: string | undefined
}

/** The items of one page. */
export const items = <I>(pagination: Operation.Pagination, page: unknown): ReadonlyArray<I> => {
  const found = JsonPath.get(page, pagination.items)
  return Array.isArray(found) ? found as ReadonlyArray<I> : []
}

const numberAt = (page: unknown, path: JsonPath.Path | undefined): number | undefined => {
  if (path === undefined) return undefined
  const value = JsonPath.get(page, path)
  return typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : undefined
}

const withParam = <P>(params: P, name: string, value: number): P => ({ ...params, [name]: value })

const initial = <P>(pagination: Operation.Pagination, params: P): State<P> => {
  const given = (params ?? {}) as Record<string, unknown>
  let next = params ?? ({} as P)
  if (pagination.page !== undefined && given[pagination.page.param] === undefined) {
    next = withParam(next, pagination.page.param, pagination.page.start)
  }
  if (pagination.offset !== undefined) {
    if (given[pagination.offset.param] === undefined) next = withParam(next, pagination.offset.param, 0)
    if (given[pagination.offset.limitParam] === undefined) {
      next = withParam(next, pagination.offset.limitParam, pagination.offset.limit)
    }
  }
  return { params: next, url: undefined }
}

/** The state for the page after `page`, or none when `page` was the last. */
const next = <P>(
  pagination: Operation.Pagination,
  state: State<P>,
  page: unknown,
  count: number
): Option.Option<State<P>> => {
  if (count === 0) return Option.none()
  const total = numberAt(page, pagination.totalPages)
  const current = numberAt(page, pagination.currentPage)
  if (total !== undefined && current !== undefined && current >= total) return Option.none()
  const params = state.params as Record<string, unknown>
  // A missing next link ends paging even when pages are counted by number or offset: amoCRM
  // stops sending `_links.next` on its last page. Only link-only operations follow the URL itself.
  let link: string | undefined
  if (pagination.nextLink !== undefined) {
    const found = JsonPath.get(page, pagination.nextLink)
    if (typeof found !== "string" || found.length === 0) return Option.none()
    link = found
  }
  if (pagination.page !== undefined) {
    const number = Number(params[pagination.page.param])
    return Option.some({ params: withParam(state.params, pagination.page.param, number + 1), url: undefined })
  }
  if (pagination.offset !== undefined) {
    const limit = Number(params[pagination.offset.limitParam])
    if (count < limit) return Option.none()
    const offset = Number(params[pagination.offset.param])
    return Option.some({ params: withParam(state.params, pagination.offset.param, offset + count), url: undefined })
  }
  return link === undefined ? Option.none() : Option.some({ params: state.params, url: link })
}

/** The pages themselves, for callers that need the envelope (totals, links) of each. */
export const pages = <P, A, E, R = never>(
  pagination: Operation.Pagination,
  params: P,
  fetchPage: (params: P, url: string | undefined) => Effect.Effect<A, E, R>
): Stream.Stream<A, E, R> =>
  Stream.paginate(initial(pagination, params), (state) =>
    Effect.map(fetchPage(state.params, state.url), (page) => {
      const count = items(pagination, page).length
      return [count === 0 ? [] : [page], next(pagination, state, page, count)] as const
    }))

/**
 * The items of every page, in order. `fetchPage` gets the params of the page to fetch and, for
 * link-following operations, the URL the previous page pointed to.
 */
export const stream = <P, A, E, I, R = never>(
  pagination: Operation.Pagination,
  params: P,
  fetchPage: (params: P, url: string | undefined) => Effect.Effect<A, E, R>
): Stream.Stream<I, E, R> =>
  Stream.flatMap(pages(pagination, params, fetchPage), (page) => Stream.fromIterable(items<I>(pagination, page)))
