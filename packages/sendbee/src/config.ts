/**
 * Sendbee from the environment.
 *
 * - `SENDBEE_API_KEY` and `SENDBEE_API_SECRET`: the credentials, read as `Redacted`;
 * - `SENDBEE_BASE_URL` (optional): another server, e.g. the loopback mock.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import { layerAuth } from "./auth.ts"
import { layer } from "./generated/layer.ts"
import { Endpoint } from "./generated/vendor.ts"

/** Every Sendbee service and the `Client` they share. */
export type Services = Layer.Success<typeof layer>

/** Every Sendbee service, configured from the environment. Provide an `HttpClient`. */
export const layerConfig: Layer.Layer<Services, Config.ConfigError, HttpClient.HttpClient> = Layer.unwrap(
  Effect.gen(function*() {
    const apiKey = yield* Config.Redacted("SENDBEE_API_KEY")
    const apiSecret = yield* Config.Redacted("SENDBEE_API_SECRET")
    const baseUrl = yield* Config.option(Config.String("SENDBEE_BASE_URL"))
    return layer.pipe(
      Layer.provide(layerAuth({ apiKey, apiSecret })),
      Layer.provide(Endpoint.layer(Option.match(baseUrl, { onNone: () => ({}), onSome: (url) => ({ baseUrl: url }) })))
    )
  })
)
