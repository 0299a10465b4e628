/**
 * Shared setup of the Help Scout tests: the mock on loopback and a client layer pointed at it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"

export const token = "test-token"

/** The mock plus a client layer for it, with a static bearer token and retries without jitter. */
export const setup = (
  options: HelpScoutMock.Options & {
    readonly auth?: Layer.Layer<HelpScout.Auth, never, any> | undefined
    readonly retry?: Layer.Layer<never> | undefined
    readonly clientRateLimit?: Layer.Layer<never> | undefined
  } = {}
) =>
  Effect.gen(function*() {
    const mock = yield* HelpScoutMock.make({ staticTokens: [token], ...options })
    const layer = HelpScout.layer.pipe(
      Layer.provide(options.auth ?? HelpScout.Auth.bearer(token)),
      Layer.provide(options.retry ?? HelpScout.Retry.layer({ jitter: false })),
      Layer.provide(options.clientRateLimit ?? HelpScout.RateLimit.disabled),
      Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.fresh
    )
    return { mock, layer }
  })

/** A conversation body with one customer thread. */
export const newConversation = (subject: string, extra: Partial<HelpScout.ConversationCreate> = {}): HelpScout.ConversationCreate => ({
  subject,
  type: "email",
  status: "active",
  mailboxId: 1,
  customer: { email: "customer@example.test" },
  threads: [{ type: "customer", text: "Hello", customer: { email: "customer@example.test" } }],
  ...extra
})
