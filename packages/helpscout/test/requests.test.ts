/**
 * What goes on the wire: method, path, query encoding and body of a broad sample of operations, as
 * the loopback mock received them.
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import { HelpScout, operations } from "@vendor-sdk/helpscout"
import { Operation } from "@vendor-sdk/core"
import { newConversation, setup } from "./support.ts"

const lastRequest = (mock: { readonly requests: Effect.Effect<ReadonlyArray<any>> }) =>
  Effect.map(mock.requests, (requests) => requests[requests.length - 1])

describe("request shapes", () => {
  it.live("encodes list filters: comma-joined tags, date-times without milliseconds, enums, page", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* HelpScout.Conversations.use((c) =>
        c.listConversations({
          mailbox: 1,
          status: "closed",
          tag: ["vip", "billing"],
          modifiedSince: DateTime.makeUnsafe("2024-05-06T04:04:23Z"),
          sortField: "createdAt",
          sortOrder: "asc",
          embed: "threads",
          page: 2
        })
      ).pipe(Effect.provide(layer))
      const request = yield* lastRequest(mock)
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v2/conversations")
      expect(request.query).toEqual([
        ["mailbox", "1"],
        ["status", "closed"],
        ["tag", "vip,billing"],
        ["modifiedSince", "2024-05-06T04:04:23Z"],
        ["sortField", "createdAt"],
        ["sortOrder", "asc"],
        ["embed", "threads"],
        ["page", "2"]
      ])
      expect(request.headers["authorization"]).toBe("Bearer test-token")
      expect(request.headers["accept"]).toBe("application/json")
    }).pipe(Effect.scoped))

  it.live("accepts report dates as DateTime or string and joins multi-value params", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* HelpScout.Reports.use((r) =>
        r.getReportConversationsOverall({
          start: DateTime.makeUnsafe("2024-01-01T00:00:00Z"),
          end: "2024-01-31T23:59:59Z",
          mailboxes: [1, 2],
          types: ["email", "chat"]
        })
      ).pipe(Effect.provide(layer))
      const request = yield* lastRequest(mock)
      expect(request.path).toBe("/v2/reports/conversations")
      expect(new URLSearchParams([...request.query]).toString()).toBe(
        "start=2024-01-01T00%3A00%3A00Z&end=2024-01-31T23%3A59%3A59Z&mailboxes=1%2C2&types=email%2Cchat"
      )
    }).pipe(Effect.scoped))

  it.live("sends JSON Patch variants with their constant part and the named value", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const bodies = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        const { id } = yield* conversations.createConversation({ body: newConversation("Patch me") })
        yield* conversations.moveConversation({ conversationId: id, mailboxId: 2 })
        yield* conversations.updateConversationStatus({ conversationId: id, status: "pending" })
        yield* conversations.publishConversationDraft({ conversationId: id })
        yield* conversations.unassignConversation({ conversationId: id })
        const requests = yield* mock.requests
        return requests.filter((r) => r.method === "PATCH").map((r) => ({ path: r.path, body: r.body }))
      }).pipe(Effect.provide(layer))
      expect(bodies).toEqual([
        { path: "/v2/conversations/1000", body: { op: "move", path: "/mailboxId", value: 2 } },
        { path: "/v2/conversations/1000", body: { op: "replace", path: "/status", value: "pending" } },
        { path: "/v2/conversations/1000", body: { op: "replace", path: "/draft", value: false } },
        { path: "/v2/conversations/1000", body: { op: "remove", path: "/assignTo" } }
      ])
    }).pipe(Effect.scoped))

  it.live("creates a note thread with a JSON body on its own path", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const { id } = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("Notes") }))
        yield* HelpScout.Threads.use((t) => t.createNoteThread({ conversationId: id, body: { type: "note", text: "Internal", user: 1 } }))
      }).pipe(Effect.provide(layer))
      const request = yield* lastRequest(mock)
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v2/conversations/1000/notes")
      expect(request.headers["content-type"]).toContain("application/json")
      expect(request.body).toEqual({ type: "note", text: "Internal", user: 1 })
    }).pipe(Effect.scoped))

  it.live("sends customer properties as a JSON array of patch operations", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* HelpScout.CustomerEntries.use((c) =>
        c.updateCustomerProperties({
          customerId: 7,
          body: [{ op: "remove", path: "/property-1" }, { op: "replace", path: "/property-2", value: "gold" }]
        })
      ).pipe(Effect.provide(layer), Effect.ignore)
      const request = yield* lastRequest(mock)
      expect(request.method).toBe("PATCH")
      expect(request.path).toBe("/v2/customers/7/properties")
      expect(request.body).toEqual([{ op: "remove", path: "/property-1" }, { op: "replace", path: "/property-2", value: "gold" }])
    }).pipe(Effect.scoped))

  it.effect("builds the correct workflow status patch, not the official SDK's swapped one", () =>
    Effect.gen(function*() {
      const request = yield* Operation.buildRequest(operations.updateWorkflowStatus, { workflowId: 3, status: "inactive" })
      expect(request.method).toBe("PATCH")
      expect(request.url).toBe("https://api.helpscout.net/v2/workflows/3")
      expect(request.body._tag).toBe("Uint8Array")
      const body = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined
      expect(body).toEqual({ op: "replace", path: "/status", value: "inactive" })
    }))

  it.effect("sends token grants as JSON to the token endpoint", () =>
    Effect.gen(function*() {
      const request = yield* Operation.buildRequest(operations.requestTokenClientCredentials, {
        clientId: "app",
        clientSecret: Redacted.make("secret")
      })
      expect(request.url).toBe("https://api.helpscout.net/v2/oauth2/token")
      const body = request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined
      expect(body).toEqual({ grant_type: "client_credentials", client_id: "app", client_secret: "secret" })
    }))

  it.live("fails with InvalidRequest naming the parameter, and sends nothing", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const error = yield* HelpScout.Conversations.use((c) => c.listConversations({ mailbox: 0 })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidRequest")
      if (error._tag !== "InvalidRequest") return
      expect(error.parameter).toBe("mailbox")
      expect(error.operationId).toBe("listConversations")
      expect(yield* mock.requests).toEqual([])
    }).pipe(Effect.scoped))

  it.live("names the path inside a body that failed its Schema", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup()
      const error = yield* HelpScout.Conversations.use((c) =>
        c.createConversation({ body: { ...newConversation("x"), threads: [] } })
      ).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("InvalidRequest")
      if (error._tag !== "InvalidRequest") return
      expect(error.parameter).toBe("body")
      expect(error.path).toEqual(["threads"])
    }).pipe(Effect.scoped))
})
