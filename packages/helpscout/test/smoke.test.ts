import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"

describe("smoke", () => {
  it.live("creates and lists conversations against the mock", () =>
    Effect.gen(function*() {
      const mock = yield* HelpScoutMock.make({ pageSize: 2 })
      const live = HelpScout.layer.pipe(
        Layer.provide(HelpScout.Auth.clientCredentials({ clientId: "demo-app", clientSecret: "demo-secret" })),
        Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const result = yield* Effect.gen(function*() {
        const conversations = yield* HelpScout.Conversations
        const ids: Array<number> = []
        for (let i = 0; i < 5; i++) {
          const { id } = yield* conversations.createConversation({
            body: {
              subject: `Help ${i}`,
              type: "email",
              status: "active",
              mailboxId: 1,
              customer: { email: "c@example.test" },
              threads: [{ type: "customer", text: "hello", customer: { email: "c@example.test" } }]
            }
          })
          ids.push(id)
        }
        const all = yield* conversations.listConversationsStream({ status: "all" }).pipe(Stream.runCollect)
        return { ids, all }
      }).pipe(Effect.provide(live))
      expect(result.ids.length).toBe(5)
      expect(result.all.map((c) => c.id).sort()).toEqual([...result.ids].sort())
      const requests = yield* mock.requests
      console.log(requests.map((r) => `${r.method} ${r.path}?${new URLSearchParams([...r.query])}`).join("\n"))
    }).pipe(Effect.scoped))
})
