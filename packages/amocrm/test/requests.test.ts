/**
 * What goes on the wire: PHP bracket filters, `order[...]`, comma-joined `with`, paging; 204 on an
 * empty list; amoCRM's error shapes decoded into typed errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { leads, queryOf, setup } from "./support.ts"

describe("requests", () => {
  it.live("encodes filters with brackets, order[field]=dir and with=a,b", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* AmoCRM.Leads.use((service) =>
        service.listLeads({
          with: ["contacts", "loss_reason"],
          filter: {
            id: [1, 2],
            updated_at: { from: 1700000000, to: 1700003600 },
            statuses: [{ pipeline_id: 10, status_id: 142 }]
          },
          order: { created_at: "asc" },
          page: 2,
          limit: 100
        })
      ).pipe(Effect.provide(layer))
      const [request] = yield* mock.requests
      expect(request!.path).toBe("/api/v4/leads")
      expect(queryOf(request!)).toEqual([
        "with=contacts,loss_reason",
        "filter[id][]=1",
        "filter[id][]=2",
        "filter[updated_at][from]=1700000000",
        "filter[updated_at][to]=1700003600",
        "filter[statuses][0][pipeline_id]=10",
        "filter[statuses][0][status_id]=142",
        "order[created_at]=asc",
        "page=2",
        "limit=100"
      ])
    }).pipe(Effect.scoped))

  it.live("answers an empty list (204) with an empty page and an empty stream", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const [page, all] = yield* Effect.gen(function*() {
        const service = yield* AmoCRM.Leads
        return [yield* service.listLeads({}), yield* Stream.runCollect(service.listLeadsStream({}))] as const
      }).pipe(Effect.provide(layer))
      // core reads a 204 on a paged list as a page with no items
      expect(page).toEqual({})
      expect(all).toEqual([])
      expect((yield* mock.requests).length).toBe(2)
    }).pipe(Effect.scoped))

  it.live("streams every page by page/limit until _links.next disappears", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const names = yield* Effect.gen(function*() {
        yield* AmoCRM.Batch.createLeads(leads(300))
        yield* mock.clear
        const service = yield* AmoCRM.Leads
        return yield* service.listLeadsStream({ limit: 250, order: { id: "asc" } }).pipe(
          Stream.map((lead) => lead.name),
          Stream.runCollect
        )
      }).pipe(Effect.provide(layer))
      expect(names).toEqual(leads(300).map((lead) => lead.name))
      const pages = (yield* mock.requests).map((r) => queryOf(r).filter((p) => p.startsWith("page=")))
      expect(pages).toEqual([["page=1"], ["page=2"]])
    }).pipe(Effect.scoped))

  it.live("decodes validation-errors into the ValidationError's field errors", () =>
    Effect.gen(function*() {
      const base = AmoCRMMock.definition({ rateLimit: false })
      const { layer } = yield* setup({
        definition: {
          ...base,
          handlers: {
            ...base.handlers,
            createContacts: () =>
              Effect.succeed(AmoCRMMock.errorReply(400, "Request validation failed", [
                { path: "body.1.custom_fields_values.0.field_id", message: "NotSupportedChoice" }
              ]))
          }
        }
      })
      const error = yield* AmoCRM.Contacts.use((service) =>
        service.createContacts({ body: [{ name: "Ann" }, { name: "Bob" }] })
      ).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("ValidationError")
      if (error._tag !== "ValidationError") return
      expect(error.requestId).toBe("1")
      expect(error.message).toBe("Request validation failed")
      expect(error.fieldErrors).toEqual([
        { path: "custom_fields_values.0.field_id", message: "NotSupportedChoice", code: "InvalidType" }
      ])
    }).pipe(Effect.scoped))

  it.live("reports a 403 as AccountBlocked and never retries it", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ retry: { times: 5, base: "1 millis", jitter: false } })
      yield* mock.inject({ fault: { _tag: "Status", status: 403, body: { title: "Forbidden", status: 403, detail: "Account is blocked" } } })
      const error = yield* AmoCRM.Leads.use((service) => service.listLeads({})).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AccountBlocked")
      expect(error.message).toBe("Account is blocked")
      expect((yield* mock.requests).length).toBe(1)
    }).pipe(Effect.scoped))

  it.live("keeps a lead, links a contact to it and reads it back with=contacts", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup()
      const lead = yield* Effect.gen(function*() {
        const [created] = yield* AmoCRM.Batch.createLeads([{ name: "Deal", price: 500 }])
        const [contact] = yield* AmoCRM.Batch.createContacts([{ name: "Ann" }])
        const links = yield* AmoCRM.Links
        yield* links.linkEntity({
          entity_type: "leads",
          entity_id: created!.id!,
          body: [{ to_entity_id: contact!.id!, to_entity_type: "contacts", metadata: { is_main: true } }]
        })
        const service = yield* AmoCRM.Leads
        return { lead: yield* service.getLead({ id: created!.id!, with: ["contacts"] }), contactId: contact!.id }
      }).pipe(Effect.provide(layer))
      expect(lead.lead.name).toBe("Deal")
      expect(lead.lead._embedded?.contacts?.map((c) => [c.id, c.is_main])).toEqual([[lead.contactId, true]])
    }).pipe(Effect.scoped))
})

describe("mock validation", () => {
  it.live("answers a request that breaks the spec with amoCRM's validation-errors", () =>
    Effect.gen(function*() {
      const mock = yield* AmoCRMMock.make({ rateLimit: false })
      const response = yield* Effect.promise(() =>
        fetch(`${mock.url}/api/v4/leads`, {
          method: "POST",
          headers: { authorization: `Bearer ${AmoCRMMock.staticToken}`, "content-type": "application/json" },
          body: JSON.stringify([{ name: "ok" }, { name: 5 }])
        })
      )
      expect(response.status).toBe(400)
      expect(response.headers.get("content-type")).toContain("application/problem+json")
      const body = yield* Effect.promise(() => response.json() as Promise<Record<string, unknown>>)
      expect(body["validation-errors"]).toEqual([{ request_id: "1", errors: [{ code: "InvalidType", path: "name", detail: "Expected string" }] }])
      expect(body.status).toBe(400)
    }).pipe(Effect.scoped))
})
