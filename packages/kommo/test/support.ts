/**
 * Shared setup of the Kommo tests: the v2 mock on loopback and a v2 layer pointed at it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { Kommo } from "@vendor-sdk/kommo"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import { Mock } from "@vendor-sdk/mock"

export const setup = (
  options: KommoMock.Options & {
    readonly auth?: Layer.Layer<Kommo.Auth, never, any> | undefined
    readonly retry?: Kommo.AccountOptions<never, never>["retry"]
    readonly clientRateLimit?: Kommo.AccountOptions<never, never>["rateLimit"]
    /** The mock's definition, when a test changes some of its handlers. */
    readonly definition?: Mock.Definition | undefined
  } = {}
) =>
  Effect.gen(function*() {
    const mock = options.definition === undefined
      ? yield* KommoMock.make({ rateLimit: false, ...options })
      : yield* Mock.make(options.definition)
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
