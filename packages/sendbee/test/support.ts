/**
 * Shared setup of the Sendbee tests: the mock on loopback and a client layer pointed at it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { type Server, Testing } from "@vendor-sdk/mock"
import { Sendbee } from "@vendor-sdk/sendbee"
import * as SendbeeMock from "@vendor-sdk/sendbee/mock"

export const { apiKey, apiSecret } = SendbeeMock.demoCredentials

/**
 * The mock plus a client layer for it: signed with the demo credentials, retries without jitter and,
 * unless a test asks for it, no client-side rate limit (so the mock's own limit is what a test sees).
 */
export const setup = (
  options: SendbeeMock.Options & {
    readonly auth?: Layer.Layer<Sendbee.Auth, never, any> | undefined
    readonly retry?: Layer.Layer<never> | undefined
    readonly clientRateLimit?: Layer.Layer<never> | undefined
    readonly endpointHeaders?: Readonly<Record<string, string>> | undefined
  } = {}
) =>
  Effect.gen(function*() {
    const mock = yield* SendbeeMock.make(options)
    const layer = Sendbee.layer.pipe(
      Layer.provide(options.auth ?? Sendbee.layerAuth({ apiKey, apiSecret })),
      Layer.provide(options.retry ?? Sendbee.Retry.layer({ jitter: false })),
      Layer.provide(options.clientRateLimit ?? Sendbee.RateLimit.disabled),
      Layer.provide(Sendbee.Endpoint.layer({ baseUrl: mock.url, headers: options.endpointHeaders })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.fresh
    )
    return { mock, layer }
  })

/** The last request the mock received. */
export const lastRequest = (mock: { readonly requests: Effect.Effect<ReadonlyArray<Server.RecordedRequest>> }) =>
  Effect.map(mock.requests, (requests) => requests[requests.length - 1]!)

/** The sleep-recording Clock of @vendor-sdk/mock (see `Testing.sleepLog`): signing uses WebCrypto. */
export const sleepLog = Testing.sleepLog
