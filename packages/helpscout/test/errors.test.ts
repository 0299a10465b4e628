/**
 * Every error tag, produced by a real answer of the mock (or a real transport failure), with the
 * context a program needs to act on it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import { newConversation, setup } from "./support.ts"

const noRetry = { retry: HelpScout.Retry.disabled }

describe("errors", () => {
  it.live("ValidationError carries field errors, logRef and the operation", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      const error = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("x", { mailboxId: 999 }) }))
        .pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("ValidationError")
      if (error._tag !== "ValidationError") return
      expect(error.status).toBe(400)
      expect(error.vendor).toBe("helpscout")
      expect(error.operationId).toBe("createConversation")
      expect(error.fieldErrors).toEqual([{ path: "mailboxId", message: "mailbox does not exist" }])
      expect(error.correlationId).toMatch(/^mock-400-/)
    }).pipe(Effect.scoped))

  it.live("AuthenticationError when the token is refused", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup({ ...noRetry, auth: HelpScout.Auth.bearer("not-a-token") })
      const error = yield* HelpScout.Mailboxes.use((m) => m.listMailboxes()).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toBe("Invalid or expired access token")
    }).pipe(Effect.scoped))

  it.live("NotFound for a missing resource", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      const error = yield* HelpScout.Conversations.use((c) => c.getConversation({ conversationId: 42 })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  for (const [status, tag] of [[403, "PermissionDenied"], [409, "Conflict"], [412, "Conflict"], [500, "ServerError"], [503, "ServerError"], [418, "UnexpectedStatus"]] as const) {
    it.live(`${tag} for HTTP ${status}`, () =>
      Effect.gen(function*() {
        const { layer, mock } = yield* setup(noRetry)
        yield* mock.inject({ fault: { _tag: "Status", status, body: { message: `status ${status}`, logRef: "ref-1" } } })
        const error = yield* HelpScout.Mailboxes.use((m) => m.listMailboxes()).pipe(Effect.provide(layer), Effect.flip)
        expect(error._tag).toBe(tag)
        if ("status" in error) expect(error.status).toBe(status)
        if ("correlationId" in error) expect(error.correlationId).toBe("ref-1")
      }).pipe(Effect.scoped))
  }

  it.live("RateLimited carries the wait Help Scout asked for", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ fault: { _tag: "Status", status: 429, headers: { "X-RateLimit-Retry-After": "12" } } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.listMailboxes()).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("RateLimited")
      if (error._tag !== "RateLimited") return
      expect(error.retryAfter && Duration.toMillis(error.retryAfter)).toBe(12_000)
    }).pipe(Effect.scoped))

  it.live("DecodeError on invalid JSON, with the operation and status", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "InvalidJson" } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("DecodeError")
      if (error._tag !== "DecodeError") return
      expect(error.operationId).toBe("getMailbox")
      expect(error.status).toBe(200)
    }).pipe(Effect.scoped))

  it.live("DecodeError names the schema path of a value that breaks the spec", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "Status", status: 200, body: { id: 1, name: 42 } } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("DecodeError")
      if (error._tag !== "DecodeError") return
      expect(error.schemaPath).toEqual(["name"])
      expect(error.message).toContain("Expected string")
    }).pipe(Effect.scoped))

  it.live("DecodeError when a proxy answers HTML instead of JSON", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "WrongContentType" } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("DecodeError")
    }).pipe(Effect.scoped))

  it.live("TransportError when the connection is reset", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "Reset" } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("TransportError")
      if (error._tag !== "TransportError") return
      expect(error.reachedServer).toBe(true)
    }).pipe(Effect.scoped))

  it.live("TransportError when the body is cut short", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getMailbox", fault: { _tag: "Truncate" } })
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("TransportError")
    }).pipe(Effect.scoped))
})
