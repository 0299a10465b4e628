/**
 * Shared setup of the amoCRM tests: the mock on loopback and an account layer pointed at it.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import { Mock } from "@vendor-sdk/mock"

export interface SetupOptions extends AmoCRMMock.Options {
  readonly auth?: Layer.Layer<AmoCRM.Auth, never, any> | undefined
  readonly retry?: AmoCRM.AccountOptions<never, never>["retry"]
  readonly clientRateLimit?: AmoCRM.AccountOptions<never, never>["rateLimit"]
  readonly definition?: Mock.Definition | undefined
}

/** The mock plus a layer of every service for it: a long-lived token, no jitter, no client-side limit. */
export const setup = (options: SetupOptions = {}) =>
  Effect.gen(function*() {
    const mock = options.definition === undefined
      ? yield* AmoCRMMock.make({ rateLimit: false, ...options })
      : yield* Mock.make(options.definition)
    const layer = AmoCRM.layerAccount({
      subdomain: "example",
      baseUrl: mock.url,
      servers: { "https://{api_domain}": mock.url },
      auth: options.auth ?? AmoCRM.OAuth.longLived(AmoCRMMock.staticToken),
      retry: options.retry ?? { jitter: false },
      rateLimit: options.clientRateLimit ?? false
    }).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.fresh)
    return { mock, layer }
  })

/** `n` leads named `lead-0` … */
export const leads = (n: number): Array<AmoCRM.LeadInput> =>
  Array.from({ length: n }, (_, i) => ({ name: `lead-${i}`, price: i }))

/** The query pairs of a recorded request, decoded. */
export const queryOf = (request: { readonly query: ReadonlyArray<readonly [string, string]> }) =>
  request.query.map(([k, v]) => `${k}=${v}`)
