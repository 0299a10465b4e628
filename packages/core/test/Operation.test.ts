/**
 * decodeResponse and buildRequest on hand-declared operations: the cases generated code relies on.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Errors, Operation, Vendor } from "@vendor-sdk/core"

class AccountBlocked extends Schema.TaggedError<AccountBlocked>()("AccountBlocked", Errors.responseFields) {}

const vendor = Vendor.make({
  name: "crm",
  title: "CRM",
  server: { url: "https://{subdomain}.crm.test", variables: { subdomain: { default: "demo" } } },
  errors: {
    message: [["detail"], ["title"]],
    requestId: [["validation-errors", "0", "request_id"]],
    fieldErrors: { at: ["validation-errors", "*", "errors"], path: [["path"]], message: [["detail"]], code: [["code"]] },
    statuses: { 403: AccountBlocked },
    fatal: [AccountBlocked]
  }
})

const Lead = Schema.Struct({ id: Schema.Int, name: Schema.String })
const Page = Schema.Struct({ _embedded: Schema.optionalKey(Schema.Struct({ leads: Schema.Array(Lead) })) })
const listLeads = Operation.makePaginated<{ readonly page?: number }, typeof Page.Type, AccountBlocked, typeof Lead.Type>({
  vendor,
  operationId: "listLeads",
  method: "GET",
  path: "/api/leads",
  params: Schema.Struct({ page: Schema.optionalKey(Schema.Int) }),
  parameters: [{ name: "page", wireName: "page", in: "query", style: "form", explode: true }],
  responses: [{ status: 200, schema: Page }, { status: 204 }],
  pagination: { items: ["_embedded", "leads"], page: { param: "page", start: 1 } }
})
const createLead = Operation.make<{ readonly body: { readonly name: string } }, { readonly id: number }, AccountBlocked>({
  vendor,
  operationId: "createLead",
  method: "POST",
  path: "/api/leads",
  params: Schema.Struct({ body: Schema.Struct({ name: Schema.String.check(Schema.isMinLength(1)) }) }),
  parameters: [],
  body: { contentType: "application/json", encoding: "json", source: { _tag: "Param", name: "body" } },
  responses: [{ status: 201, schema: Schema.Struct({ id: Schema.FiniteFromString }), headers: { id: "Location-Id" } }]
})

describe("decodeResponse", () => {
  it.effect("reads an empty (204) answer of a paginated list as an empty page", () =>
    Effect.gen(function*() {
      expect(yield* Operation.decodeResponse(listLeads, { status: 204, headers: {}, body: undefined })).toEqual({})
    }))

  it.effect("reads a created id from its header", () =>
    Effect.gen(function*() {
      const created = yield* Operation.decodeResponse(createLead, { status: 201, headers: { "location-id": "77" }, body: undefined })
      expect(created).toEqual({ id: 77 })
    }))

  it.effect("decodes an undocumented success status with the documented schema", () =>
    Effect.gen(function*() {
      const page = yield* Operation.decodeResponse(listLeads, { status: 203, headers: {}, body: { _embedded: { leads: [{ id: 1, name: "a" }] } } })
      expect(page._embedded?.leads).toEqual([{ id: 1, name: "a" }])
    }))

  it.effect("collects nested field errors, the request id and the message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Operation.decodeResponse(createLead, {
        status: 400,
        headers: {},
        body: {
          title: "Bad Request",
          detail: "Request validation failed",
          "validation-errors": [
            { request_id: "0", errors: [{ code: "NotSupportedChoice", path: "custom_fields_values.0.field_id", detail: "unknown field" }] },
            { request_id: "1", errors: [{ code: "InvalidType", path: "price", detail: "must be int" }] }
          ]
        }
      }))
      expect(error._tag).toBe("ValidationError")
      if (error._tag !== "ValidationError") return
      expect(error.message).toBe("Request validation failed")
      expect(error.requestId).toBe("0")
      expect(error.fieldErrors).toEqual([
        { path: "custom_fields_values.0.field_id", message: "unknown field", code: "NotSupportedChoice" },
        { path: "price", message: "must be int", code: "InvalidType" }
      ])
    }))

  it.effect("maps a status the vendor gives its own meaning to its declared error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Operation.decodeResponse(listLeads, { status: 403, headers: {}, body: { title: "Account is blocked" } }))
      expect(error).toBeInstanceOf(AccountBlocked)
      expect(error.message).toBe("Account is blocked")
    }))

  it.effect("keeps a short text body as the message when the body is not JSON", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Operation.decodeResponse(listLeads, { status: 502, headers: {}, body: "Bad gateway" }))
      expect(error._tag).toBe("ServerError")
      expect(error.message).toBe("Bad gateway")
    }))
})

describe("buildRequest", () => {
  it.effect("fills server variables and encodes the JSON body", () =>
    Effect.gen(function*() {
      const request = yield* Operation.buildRequest(createLead, { body: { name: "Deal" } }, { serverVariables: { subdomain: "acme" } })
      expect(request.url).toBe("https://acme.crm.test/api/leads")
      expect(request.headers["content-type"]).toBe("application/json")
    }))

  it.effect("fails before sending when the body breaks its Schema", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Operation.buildRequest(createLead, { body: { name: "" } }))
      expect(error).toMatchObject({ _tag: "InvalidRequest", parameter: "body", path: ["name"], operationId: "createLead" })
    }))
})

