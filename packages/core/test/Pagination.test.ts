/**
 * The paging styles other vendors use: offset paging (Kommo v2), next links (amoCRM), and page
 * metadata (Sendbee), each ending where it should. `fetchPage` stands in for the vendor here.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Pagination } from "@vendor-sdk/core"

const rows = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }))

describe("Pagination", () => {
  it.effect("offset paging asks for limit-sized pages and stops on a short one", () =>
    Effect.gen(function*() {
      const asked: Array<unknown> = []
      const items = yield* Pagination.stream(
        { items: ["_embedded", "items"], offset: { param: "limit_offset", limitParam: "limit_rows", limit: 3 } },
        {} as Record<string, number>,
        (params) =>
          Effect.sync(() => {
            asked.push(params)
            return { _embedded: { items: rows.slice(params.limit_offset!, params.limit_offset! + params.limit_rows!) } }
          })
      ).pipe(Stream.runCollect)
      expect(items).toEqual(rows)
      expect(asked).toEqual([
        { limit_offset: 0, limit_rows: 3 },
        { limit_offset: 3, limit_rows: 3 },
        { limit_offset: 6, limit_rows: 3 }
      ])
    }))

  it.effect("page paging stops when the next link is missing, even if the page is full", () =>
    Effect.gen(function*() {
      const pages = [{ _embedded: { leads: [1, 2] }, _links: { next: { href: "?page=2" } } }, { _embedded: { leads: [3, 4] }, _links: {} }]
      const items = yield* Pagination.stream(
        { items: ["_embedded", "leads"], page: { param: "page", start: 1 }, nextLink: ["_links", "next", "href"] },
        {} as { page?: number },
        (params) => Effect.succeed(pages[params.page! - 1])
      ).pipe(Stream.runCollect)
      expect(items).toEqual([1, 2, 3, 4])
    }))

  it.effect("link-following paging fetches the URL the previous page points to", () =>
    Effect.gen(function*() {
      const urls: Array<string | undefined> = []
      const items = yield* Pagination.stream(
        { items: ["data"], nextLink: ["next"] },
        {},
        (_, url) =>
          Effect.sync(() => {
            urls.push(url)
            return url === undefined ? { data: ["a"], next: "/p/2" } : url === "/p/2" ? { data: ["b"], next: "/p/3" } : { data: ["c"] }
          })
      ).pipe(Stream.runCollect)
      expect(items).toEqual(["a", "b", "c"])
      expect(urls).toEqual([undefined, "/p/2", "/p/3"])
    }))

  it.effect("page-metadata paging stops at last_page without asking past it", () =>
    Effect.gen(function*() {
      let calls = 0
      const items = yield* Pagination.stream(
        { items: ["data"], page: { param: "page", start: 1 }, totalPages: ["meta", "last_page"], currentPage: ["meta", "current_page"] },
        {} as { page?: number },
        (params) => Effect.sync(() => (calls++, { data: [params.page], meta: { current_page: params.page, last_page: 3 } }))
      ).pipe(Stream.runCollect)
      expect(items).toEqual([1, 2, 3])
      expect(calls).toBe(3)
    }))

  it.effect("an empty first page ends the stream at once", () =>
    Effect.gen(function*() {
      const items = yield* Pagination.stream({ items: ["data"], page: { param: "page", start: 1 } }, {}, () => Effect.succeed({}))
        .pipe(Stream.runCollect)
      expect(items).toEqual([])
    }))
})
