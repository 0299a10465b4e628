/**
 * The API-key session: login once with the cookie kept, re-login on 401, and a bounded number of
 * login attempts when the login keeps failing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

const apiKeyAuth = (apiKey: string = KommoMock.demoUser.apiKey) =>
  Kommo.ApiKey.layer({ login: KommoMock.demoUser.login, apiKey })

describe("API-key session", () => {
  it.live("logs in once and sends the session cookie on every call", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: apiKeyAuth() })
      yield* Effect.gen(function*() {
        const leads = yield* Kommo.Leads
        yield* leads.listLeads({})
        yield* leads.listLeads({})
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(requests.map((r) => r.path)).toEqual(["/private/api/auth.php", "/api/v2/leads", "/api/v2/leads"])
      expect(requests[0]!.query).toEqual([["type", "json"]])
      expect(requests[0]!.body).toEqual({ USER_LOGIN: KommoMock.demoUser.login, USER_HASH: KommoMock.demoUser.apiKey })
      const session = mock.state.collection("sessions").list()[0]!.id
      expect(requests.slice(1).map((r) => r.headers["cookie"])).toEqual([`session_id=${session}`, `session_id=${session}`])
    }).pipe(Effect.scoped))

  it.live("logs in again when the session expired (401) and repeats the call once", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: apiKeyAuth() })
      const result = yield* Effect.gen(function*() {
        const leads = yield* Kommo.Leads
        yield* Kommo.Batch.leads.add([{ name: "Deal" }])
        const sessions = mock.state.collection("sessions")
        for (const s of sessions.list()) sessions.remove(s.id)
        return yield* leads.listLeads({})
      }).pipe(Effect.provide(layer))
      expect(result?._embedded?.items?.map((l) => l.name)).toEqual(["Deal"])
      expect((yield* mock.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /private/api/auth.php",
        "POST /api/v2/leads",
        "GET /api/v2/leads",
        "POST /private/api/auth.php",
        "GET /api/v2/leads"
      ])
    }).pipe(Effect.scoped))

  it.effect("gives up after 3 refused logins, 5 seconds apart, with AuthenticationError", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: apiKeyAuth("wrong-key") })
      const fiber = yield* Kommo.Leads.use((leads) => leads.listLeads({})).pipe(Effect.provide(layer), Effect.flip, Effect.forkChild)
      yield* Testing.advanceUntil(Effect.map(mock.requests, (r) => r.length >= 3), { step: "500 millis" })
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("refused")
      expect(error.message).not.toContain("wrong-key")
      const requests = yield* mock.requests
      expect(requests.map((r) => r.path)).toEqual(Array(3).fill("/private/api/auth.php"))
      expect(requests.map((r) => r.receivedAt - requests[0]!.receivedAt)).toEqual([0, 5000, 10000])
    }).pipe(Effect.scoped))
})
