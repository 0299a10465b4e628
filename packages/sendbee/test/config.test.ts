/**
 * `layerConfig`: credentials from SENDBEE_API_KEY / SENDBEE_API_SECRET as Redacted, and an optional
 * SENDBEE_BASE_URL, here pointing at the mock, which checks the signature they produce.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { Sendbee } from "@vendor-sdk/sendbee"
import * as SendbeeMock from "@vendor-sdk/sendbee/mock"
import { apiKey, apiSecret } from "./support.ts"

const fromEnv = (env: Record<string, string>) =>
  Sendbee.layerConfig.pipe(
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env))),
    Layer.fresh
  )

describe("layerConfig", () => {
  it.effect("signs with the configured credentials and sends to SENDBEE_BASE_URL", () =>
    Effect.gen(function*() {
      const mock = yield* SendbeeMock.make()
      const teams = yield* Sendbee.Teams.use((t) => t.listTeams()).pipe(
        Effect.provide(fromEnv({ SENDBEE_API_KEY: apiKey, SENDBEE_API_SECRET: apiSecret, SENDBEE_BASE_URL: mock.url }))
      )
      expect(teams.data.length).toBe(2)
      const [request] = yield* mock.requests
      expect(request?.headers["x-api-key"]).toBe(apiKey)
    }).pipe(Effect.scoped))

  it.effect("uses Sendbee's server when no base URL is configured", () =>
    Effect.gen(function*() {
      const client = yield* Sendbee.Client.pipe(Effect.provide(fromEnv({ SENDBEE_API_KEY: "k", SENDBEE_API_SECRET: "s" })))
      expect(client.endpoint).toEqual({})
      expect(client.vendor.server.url).toBe("https://api-v2.sendbee.io")
    }))

  it.effect("fails with a ConfigError naming the missing secret, without any value", () =>
    Effect.gen(function*() {
      const error = yield* Sendbee.Client.pipe(
        Effect.provide(fromEnv({ SENDBEE_API_KEY: "key-value-123" })),
        Effect.flip
      )
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("SENDBEE_API_SECRET")
      expect(String(error)).not.toContain("key-value-123")
    }))
})
