/**
 * Sendbee's `error: { detail, type }` becomes core's typed errors, with `detail` as the message and
 * `type` as the code; bad input fails with InvalidRequest before anything is sent; a `warning` on a
 * successful answer is logged as a warning and kept on the withResponse variant.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { Sendbee } from "@vendor-sdk/sendbee"
import { seeded } from "@vendor-sdk/sendbee/mock"
import { setup } from "./support.ts"

const noRetry = { retry: Sendbee.Retry.disabled }

const captureLogs = () => {
  const lines: Array<{ readonly level: string; readonly message: unknown }> = []
  const layer = Logger.layer([Logger.make((options) => void lines.push({ level: options.logLevel, message: options.message }))])
  return { lines, layer }
}

describe("errors", () => {
  it.effect("ValidationError carries detail as the message, type as the code, and the operation", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      const error = yield* Sendbee.ContactFields.use((f) => f.createContactField({ body: { name: "Tier", type: "list" } })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("ValidationError")
      if (error._tag !== "ValidationError") return
      expect(error.status).toBe(400)
      expect(error.vendor).toBe("sendbee")
      expect(error.operationId).toBe("createContactField")
      expect(error.message).toBe("Validation error: options: a list field needs at least one option")
      expect(error.code).toBe("validation_error")
      expect(error.body).toEqual({ error: { detail: error.message, type: "validation_error" } })
    }).pipe(Effect.scoped))

  it.effect("NotFound for an unknown conversation", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(noRetry)
      const error = yield* Sendbee.Conversations.use((c) => c.getConversation({ conversation_id: crypto.randomUUID() })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("NotFound")
      if (error._tag === "NotFound") expect([error.message, error.code]).toEqual(["Conversation not found", "not_found"])
    }).pipe(Effect.scoped))

  for (const [status, tag] of [[403, "PermissionDenied"], [409, "Conflict"], [500, "ServerError"], [503, "ServerError"], [418, "UnexpectedStatus"]] as const) {
    it.effect(`${tag} for HTTP ${status}, read from the error envelope`, () =>
      Effect.gen(function*() {
        const { layer, mock } = yield* setup(noRetry)
        yield* mock.inject({ fault: { _tag: "Status", status, body: { error: { detail: `status ${status}`, type: `type_${status}` } } } })
        const error = yield* Sendbee.Teams.use((t) => t.listTeams()).pipe(Effect.provide(layer), Effect.flip)
        expect(error._tag).toBe(tag)
        if (!("code" in error)) return
        expect([error.status, error.message, error.code]).toEqual([status, `status ${status}`, `type_${status}`])
      }).pipe(Effect.scoped))
  }

  it.effect("reads the flat error form {detail, error: true, type} too", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ fault: { _tag: "Status", status: 422, body: { detail: "Flat detail", error: true, type: "flat_type" } } })
      const error = yield* Sendbee.Teams.use((t) => t.listTeams()).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("ValidationError")
      if (error._tag === "ValidationError") expect([error.message, error.code]).toEqual(["Flat detail", "flat_type"])
    }).pipe(Effect.scoped))

  it.effect("DecodeError names the path of a value that breaks the spec", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      yield* mock.inject({ operationId: "getChatbotActivityStatus", fault: { _tag: "Status", status: 200, body: { data: { chatbot_active: "yes" } } } })
      const error = yield* Sendbee.Automation.use((a) => a.getChatbotActivityStatus({ conversation_id: seeded.conversation })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("DecodeError")
      if (error._tag === "DecodeError") expect(error.schemaPath).toEqual(["data", "chatbot_active"])
    }).pipe(Effect.scoped))

  it.effect("InvalidRequest on a param outside its Schema; nothing is sent", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(noRetry)
      const tooMany = yield* Sendbee.Contacts.use((c) => c.listContacts({ limit: 500 })).pipe(Effect.provide(layer), Effect.flip)
      expect(tooMany._tag).toBe("InvalidRequest")
      if (tooMany._tag === "InvalidRequest") {
        expect([tooMany.operationId, tooMany.parameter, tooMany.path]).toEqual(["listContacts", "limit", []])
      }
      const badFolder = yield* Sendbee.Conversations.use((c) =>
        c.updateConversation({ body: { conversation_id: seeded.conversation, folder: "spam" as "done" } })
      ).pipe(Effect.provide(layer), Effect.flip)
      expect(badFolder._tag).toBe("InvalidRequest")
      if (badFolder._tag === "InvalidRequest") expect([badFolder.parameter, badFolder.path]).toEqual(["body", ["folder"]])
      const noPhone = yield* Sendbee.Contacts.use((c) => c.subscribeContact({ body: { name: "Nobody" } as never })).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(noPhone._tag).toBe("InvalidRequest")
      if (noPhone._tag === "InvalidRequest") expect([noPhone.parameter, noPhone.path]).toEqual(["body", ["phone"]])
      expect(yield* mock.requests).toEqual([])
    }).pipe(Effect.scoped))
})

describe("warnings", () => {
  it.effect("logs a warning of a successful answer and keeps it on the withResponse variant", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup()
      const logs = captureLogs()
      const response = yield* Sendbee.Contacts.use((c) =>
        c.withResponse.subscribeContact({ body: { phone: "+385930000001", contact_fields: { City: "Rijeka", Shoe: "42" } } })
      ).pipe(Effect.provide(layer), Effect.provide(logs.layer))
      const warning = "Contact field \"Shoe\" does not exist and was ignored"
      expect(response.status).toBe(200)
      expect(response.value.warning).toBe(warning)
      expect((response.body as { warning?: string }).warning).toBe(warning)
      expect(response.value.data.contact_fields).toEqual([{ key: "City", value: "Rijeka" }])
      expect(logs.lines.filter((l) => l.level === "Warn").map((l) => l.message)).toEqual([[`Sendbee Public API warning: ${warning}`]])
    }).pipe(Effect.scoped))

  it.effect("logs the warning of a list page too, and nothing when there is none", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      const logs = captureLogs()
      yield* mock.inject({
        operationId: "listTeams",
        times: 1,
        fault: { _tag: "Status", status: 200, body: { data: [], meta: { current_page: 1, last_page: 1 }, warning: "The member_id filter is deprecated" } }
      })
      const page = yield* Effect.gen(function*() {
        const teams = yield* Sendbee.Teams
        const page = yield* teams.listTeams({ member_id: seeded.members.bo })
        yield* teams.listTeams()
        return page
      }).pipe(Effect.provide(layer), Effect.provide(logs.layer))
      expect(page.warning).toBe("The member_id filter is deprecated")
      expect(logs.lines.filter((l) => l.level === "Warn").map((l) => l.message)).toEqual([[
        "Sendbee Public API warning: The member_id filter is deprecated"
      ]])
    }).pipe(Effect.scoped))
})
