/**
 * The API-key session: login once with the cookie kept, re-login on 401, and a bounded number of
 * login attempts when the login keeps failing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Logger, References } from "effect"
import { TestClock } from "effect/testing"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { type Mock, Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

/** Whether a fiber has ended, without waiting for it. */
const ended = (fiber: Fiber.Fiber<unknown, unknown>) => Effect.sync(() => fiber.pollUnsafe() !== undefined)

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

  it.effect("does not retry a login refused for good (403 AccountBlocked, 402 SubscriptionExpired)", () =>
    Effect.gen(function*() {
      for (const [status, tag] of [[403, "AccountBlocked"], [402, "SubscriptionExpired"]] as const) {
        const { layer, mock } = yield* setup({ auth: apiKeyAuth() })
        yield* mock.inject({ fault: { _tag: "Status", status, body: { response: { error: "Closed", error_code: status } } }, operationId: "loginWithApiKey" })
        const fiber = yield* Kommo.Leads.use((leads) => leads.listLeads({})).pipe(Effect.provide(layer), Effect.flip, Effect.forkChild)
        yield* Testing.advanceUntil(ended(fiber), { step: "500 millis", limit: "1 minute" })
        const error = yield* Fiber.join(fiber)
        expect([error._tag, error.message]).toEqual(["AuthenticationError", expect.stringContaining(`${tag}: Closed`)])
        if (error._tag === "AuthenticationError") expect(error.status).toBe(status)
        expect((yield* mock.requests).map((r) => r.path)).toEqual(["/private/api/auth.php"])
      }
    }).pipe(Effect.scoped))

  it.effect("gives up on a login that does not answer within its timeout, without holding every caller", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ auth: Kommo.ApiKey.layer({ ...KommoMock.demoUser, timeout: "20 seconds" }) })
      yield* mock.inject({ fault: { _tag: "Latency", delay: "10 minutes" }, operationId: "loginWithApiKey", times: 1 })
      const fiber = yield* Kommo.Leads.use((leads) => leads.listLeads({})).pipe(Effect.provide(layer), Effect.flip, Effect.forkChild)
      yield* Testing.advanceUntil(ended(fiber), { step: "1 second", limit: "5 minutes" })
      const error = yield* Fiber.join(fiber)
      expect(error.message).toContain("no answer within 20s")
      // The next call logs in afresh.
      const next = yield* Kommo.Leads.use((leads) => leads.listLeads({})).pipe(Effect.provide(layer), Effect.forkChild)
      yield* Testing.advanceUntil(ended(next), { step: "1 second" })
      yield* Fiber.join(next)
      expect((yield* mock.requests).map((r) => r.path)).toEqual(["/private/api/auth.php", "/private/api/auth.php", "/api/v2/leads"])
      // Lets the mock finish the abandoned answer, so it can stop.
      yield* TestClock.adjust("10 minutes")
    }).pipe(Effect.scoped))

  it.live("keeps a session cookie Kommo renews on an answer, and sends the new one", () =>
    Effect.gen(function*() {
      const base = KommoMock.definition({ rateLimit: false })
      // Each answer to a list replaces the session: the old cookie stops working.
      const definition: Mock.Definition = {
        ...base,
        handlers: {
          ...base.handlers,
          listLeads: (context) => {
            const sessions = context.state.collection<{ id: string; login: string; expiresAt: number }>("sessions")
            const old = /session_id=([^;]+)/.exec(context.request.headers["cookie"] ?? "")?.[1]
            const current = old === undefined ? undefined : sessions.get(old)
            if (current === undefined) return base.handlers!.listLeads!(context)
            sessions.remove(current.id)
            const renewed = sessions.insert({ login: current.login, expiresAt: current.expiresAt })
            return Effect.map(base.handlers!.listLeads!(context), (reply) => ({
              ...reply,
              headers: { ...reply.headers, "set-cookie": `session_id=${renewed.id}; path=/; HttpOnly` }
            }))
          }
        }
      }
      const { layer, mock } = yield* setup({ auth: apiKeyAuth(), definition })
      yield* Effect.gen(function*() {
        const leads = yield* Kommo.Leads
        yield* leads.listLeads({})
        yield* leads.listLeads({})
        yield* leads.listLeads({})
      }).pipe(Effect.provide(layer))
      const requests = yield* mock.requests
      expect(requests.map((r) => r.path)).toEqual(["/private/api/auth.php", "/api/v2/leads", "/api/v2/leads", "/api/v2/leads"])
      const cookies = requests.slice(1).map((r) => r.headers["cookie"])
      expect(new Set(cookies).size).toBe(3)
    }).pipe(Effect.scoped))

  it.live("logs the login at Debug through the vendor's client, with the key and the session redacted", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const { layer, mock } = yield* setup({ auth: apiKeyAuth() })
      yield* Kommo.Leads.use((leads) => leads.listLeads({})).pipe(
        Effect.provide(layer),
        Effect.provide(capture),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      const session = mock.state.collection("sessions").list()[0]!.id
      const text = lines.join("\n")
      expect(text).toContain("/private/api/auth.php")
      expect(text).toContain("loginWithApiKey")
      for (const secret of [KommoMock.demoUser.apiKey, String(session)]) expect(text).not.toContain(secret)
    }).pipe(Effect.scoped))
})
