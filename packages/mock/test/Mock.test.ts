/**
 * The mock engine on a hand-declared registry: routing (specificity, params that must decode,
 * variants by body), validation answers in the vendor's shape, schema-valid examples, and its own
 * answers checked against the spec.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { Operation, Vendor } from "@vendor-sdk/core"
import { Mock } from "@vendor-sdk/mock"

const vendor = Vendor.make({ name: "t", title: "T", server: { url: "https://t.test/api", variables: {} } })
const Contact = Schema.Struct({ id: Schema.Int, name: Schema.String })
const op = (
  operationId: string,
  method: Operation.Method,
  path: string,
  params: Schema.Top,
  extra: Partial<Pick<Operation.Any, "parameters" | "responses" | "body">> = {}
) =>
  Operation.make<any, any>({
    vendor,
    operationId,
    method,
    path,
    params: params as Schema.Codec<any, unknown>,
    parameters: [],
    responses: [{ status: 200, schema: Contact }],
    ...extra
  })

const operations = {
  getContact: op("getContact", "GET", "/contacts/{id}", Schema.Struct({ id: Schema.Int }), {
    parameters: [{ name: "id", wireName: "id", in: "path", style: "simple", explode: false }]
  }),
  listTags: op("listTags", "GET", "/{entity}/tags", Schema.Struct({ entity: Schema.Literals(["contacts", "leads"]) }), {
    parameters: [{ name: "entity", wireName: "entity", in: "path", style: "simple", explode: false }],
    responses: [{ status: 200, schema: Schema.Array(Schema.String) }]
  }),
  rename: op("rename", "PATCH", "/contacts/{id}", Schema.Struct({ id: Schema.Int, name: Schema.String }), {
    parameters: [{ name: "id", wireName: "id", in: "path", style: "simple", explode: false }],
    body: {
      contentType: "application/json",
      encoding: "json",
      source: { _tag: "Fields", constant: { op: "rename" }, fields: [{ param: "name", path: ["value"] }] }
    }
  }),
  search: op("search", "GET", "/search", Schema.Struct({ q: Schema.String, limit: Schema.optionalKey(Schema.Int.check(Schema.isLessThanOrEqualTo(50))) }), {
    parameters: [
      { name: "q", wireName: "q", in: "query", style: "form", explode: true },
      { name: "limit", wireName: "limit", in: "query", style: "form", explode: true }
    ]
  })
}

const definition: Mock.Definition = {
  vendor,
  operations,
  error: (status, message, fieldErrors) => ({ status, body: { error: { message, fields: fieldErrors } } }),
  handlers: {
    getContact: ({ params }) => Effect.succeed({ status: 200, body: { id: params.id, name: "Ana" } }),
    listTags: ({ params }) => Effect.succeed({ status: 200, body: [`${params.entity}-tag`] }),
    rename: ({ params }) => Effect.succeed({ status: 200, body: { id: params.id, name: params.name } })
  }
}

const call = (mock: Mock.Mock, request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.prependUrl(request, mock.url))
    return { status: response.status, body: JSON.parse((yield* response.text) || "null") as unknown }
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))

describe("Mock", () => {
  it.live("routes to the most specific operation whose params decode", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make(definition)
      expect(yield* call(mock, HttpClientRequest.get("/api/contacts/7"))).toEqual({ status: 200, body: { id: 7, name: "Ana" } })
      expect(yield* call(mock, HttpClientRequest.get("/api/contacts/tags"))).toEqual({ status: 200, body: ["contacts-tag"] })
    }).pipe(Effect.scoped))

  it.live("picks a variant by the constant part of its body", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make(definition)
      const reply = yield* call(mock, HttpClientRequest.patch("/api/contacts/3").pipe(HttpClientRequest.bodyJsonUnsafe({ op: "rename", value: "Bo" })))
      expect(reply).toEqual({ status: 200, body: { id: 3, name: "Bo" } })
      const unknown = yield* call(mock, HttpClientRequest.patch("/api/contacts/3").pipe(HttpClientRequest.bodyJsonUnsafe({ op: "delete" })))
      expect(unknown.status).toBe(404)
    }).pipe(Effect.scoped))

  it.live("answers bad params with the vendor's validation error, naming each field", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make(definition)
      const reply = yield* call(mock, HttpClientRequest.get("/api/search").pipe(HttpClientRequest.setUrlParams({ limit: "99" })))
      expect(reply.status).toBe(400)
      expect((reply.body as any).error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["limit", "q"])
    }).pipe(Effect.scoped))

  it.live("answers an unknown route with 404 in the vendor's shape", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make(definition)
      expect(yield* call(mock, HttpClientRequest.get("/api/nothing"))).toEqual({
        status: 404,
        body: { error: { message: "No route for GET /api/nothing", fields: [] } }
      })
    }).pipe(Effect.scoped))

  it.live("answers operations without a handler with a schema-valid example", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make(definition)
      const reply = yield* call(mock, HttpClientRequest.get("/api/search").pipe(HttpClientRequest.setUrlParams({ q: "x" })))
      expect(reply.status).toBe(200)
      expect(Schema.is(Contact)(reply.body)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("turns a handler's answer that breaks the spec into a 500 naming the operation", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make({ ...definition, handlers: { getContact: () => Effect.succeed({ status: 200, body: { id: "x" } }) } })
      const reply = yield* call(mock, HttpClientRequest.get("/api/contacts/1"))
      expect(reply.status).toBe(500)
      expect(JSON.stringify(reply.body)).toContain("mock answer for getContact does not match the spec")
    }).pipe(Effect.scoped))
})
