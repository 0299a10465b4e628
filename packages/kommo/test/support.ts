/**
 * Shared setup of the Kommo tests: the v2 mock on loopback and a v2 layer pointed at it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"

export const setup = (
  options: KommoMock.Options & {
    readonly auth?: Layer.Layer<Kommo.Auth, never, any> | undefined
    readonly retry?: Kommo.AccountOptions<never, never>["retry"]
    readonly clientRateLimit?: Kommo.AccountOptions<never, never>["rateLimit"]
  } = {}
) =>
  Effect.gen(function*() {
    const mock = yield* KommoMock.make({ rateLimit: false, ...options })
    const layer = Kommo.layerAccount({
      subdomain: "example",
      baseUrl: mock.url,
      auth: options.auth ?? Kommo.Auth.bearer(KommoMock.staticToken),
      retry: options.retry ?? { jitter: false },
      rateLimit: options.clientRateLimit ?? false
    }).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.fresh)
    return { mock, layer }
  })

/** The query pairs of a recorded request. */
export const queryOf = (request: { readonly query: ReadonlyArray<readonly [string, string]> }) =>
  request.query.map(([k, v]) => `${k}=${v}`)
