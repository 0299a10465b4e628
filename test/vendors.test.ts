/**
 * Several vendors in one program, as users compose them: each package brings its own keys (Auth,
 * Retry, RateLimit, Endpoint, Client), so their policies and credentials never mix. And every call
 * runs in a span `<vendor>.<operationId>` with the status and the retry count.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Tracer } from "effect"
import * as Net from "node:net"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"
import { Sendbee } from "@vendor-sdk/sendbee"
import * as SendbeeMock from "@vendor-sdk/sendbee/mock"

/** A tracer that keeps every span it starts. */
const recordingTracer = () => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = Tracer.nativeTracer.span(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

describe("several vendors in one program", () => {
  it.live("keeps each vendor's credentials and policies apart, and traces each call", () =>
    Effect.gen(function*() {
      const helpscout = yield* HelpScoutMock.make({ staticTokens: ["hs-token"] })
      const amocrm = yield* AmoCRMMock.make()
      const sendbee = yield* SendbeeMock.make()
      yield* helpscout.inject({ operationId: "getMailbox", times: 1, fault: { _tag: "Status", status: 503 } })

      const live = Layer.mergeAll(
        HelpScout.layer.pipe(
          Layer.provide(HelpScout.Auth.bearer("hs-token")),
          Layer.provide(HelpScout.Retry.layer({ base: "10 millis", jitter: false })),
          Layer.provide(HelpScout.Endpoint.layer({ baseUrl: helpscout.url }))
        ),
        AmoCRM.layerAccount({ subdomain: "example", baseUrl: amocrm.url, auth: AmoCRM.OAuth.longLived(AmoCRMMock.staticToken) }),
        Sendbee.layer.pipe(
          Layer.provide(Sendbee.layerAuth(SendbeeMock.demoCredentials)),
          Layer.provide(Sendbee.Endpoint.layer({ baseUrl: sendbee.url }))
        )
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))

      const { spans, tracer } = recordingTracer()
      const [mailbox, account, tags] = yield* Effect.all([
        HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })),
        AmoCRM.Account.use((a) => a.getAccount({})),
        Sendbee.ContactTags.use((t) => t.listContactTags({}))
      ], { concurrency: "unbounded" }).pipe(Effect.provide(live), Effect.withTracer(tracer))

      expect(mailbox.name).toBe("Support")
      expect(account.subdomain).toBeDefined()
      expect(tags.data.length).toBeGreaterThan(0)

      const auth = (mock: { readonly requests: Effect.Effect<ReadonlyArray<{ readonly headers: Record<string, string> }>> }) =>
        Effect.map(mock.requests, (requests) => requests.map((r) => [r.headers["authorization"], r.headers["x-api-key"]]))
      expect(yield* auth(helpscout)).toEqual([["Bearer hs-token", undefined], ["Bearer hs-token", undefined]])
      expect(yield* auth(amocrm)).toEqual([[`Bearer ${AmoCRMMock.staticToken}`, undefined]])
      expect(yield* auth(sendbee)).toEqual([[undefined, SendbeeMock.demoCredentials.apiKey]])

      const span = (name: string) => spans.find((s) => s.name === name)!
      expect(span("helpscout.getMailbox").attributes).toEqual(new Map<string, unknown>([
        ["vendor", "helpscout"],
        ["operation.id", "getMailbox"],
        ["http.request.method", "GET"],
        ["http.response.status_code", 200],
        ["retry.count", 1]
      ]))
      expect(span("amocrm.getAccount").attributes.get("retry.count")).toBe(0)
      expect(span("sendbee.listContactTags").attributes.get("http.response.status_code")).toBe(200)
      // The HTTP client's own spans sit beneath ours.
      const http = spans.filter((s) => s.kind === "client" && !s.name.includes("."))
      expect(http.length).toBeGreaterThanOrEqual(4)
    }).pipe(Effect.scoped))

  it.live("traces a call that got no response with its retry count, and with no status", () =>
    Effect.gen(function*() {
      // A port that was free a moment ago: connections to it are refused.
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = Net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as Net.AddressInfo
            server.close(() => resolve(port))
          })
        })
      )
      const live = HelpScout.layer.pipe(
        Layer.provide(HelpScout.Auth.bearer("hs-token")),
        Layer.provide(HelpScout.Retry.layer({ times: 2, base: "10 millis", jitter: false })),
        Layer.provide(HelpScout.Endpoint.layer({ baseUrl: `http://127.0.0.1:${port}/v2` })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const { spans, tracer } = recordingTracer()
      const error = yield* HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 })).pipe(
        Effect.provide(live),
        Effect.withTracer(tracer),
        Effect.flip
      )
      expect(error._tag).toBe("TransportError")
      const span = spans.find((s) => s.name === "helpscout.getMailbox")!
      expect(span.attributes.get("retry.count")).toBe(2)
      expect(span.attributes.has("http.response.status_code")).toBe(false)
    }).pipe(Effect.scoped))
})
