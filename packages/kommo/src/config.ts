/**
 * The Kommo v2 API from the environment:
 *
 * - `KOMMO_SUBDOMAIN` (required) and `KOMMO_DOMAIN` (`kommo.com` by default);
 * - credentials, one of: `KOMMO_ACCESS_TOKEN` (bearer), or `KOMMO_LOGIN` and `KOMMO_API_KEY` (legacy
 *   API-key session);
 * - `KOMMO_BASE_URL` (optional): another server, e.g. the loopback mock.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import * as ApiKey from "./ApiKey.ts"
import { layer } from "./generated/layer.ts"
import { Auth, Endpoint } from "./generated/vendor.ts"

const credentials = Config.Redacted("KOMMO_ACCESS_TOKEN").pipe(
  Config.map((token) => Auth.bearer(token)),
  Config.orElse(() =>
    Config.all({ login: Config.String("KOMMO_LOGIN"), apiKey: Config.Redacted("KOMMO_API_KEY") }).pipe(
      Config.map(({ apiKey, login }) => ApiKey.layer({ login, apiKey }))
    )
  )
)

/** Every v2 service configured from the environment. Provide an `HttpClient`. */
export const layerConfig: Layer.Layer<Layer.Success<typeof layer>, Config.ConfigError, HttpClient.HttpClient> = Layer.unwrap(
  Effect.gen(function*() {
    const subdomain = yield* Config.String("KOMMO_SUBDOMAIN")
    const domain = yield* Config.String("KOMMO_DOMAIN").pipe(Config.withDefault("kommo.com"))
    const baseUrl = yield* Config.option(Config.String("KOMMO_BASE_URL"))
    const auth = yield* credentials
    return layer.pipe(
      Layer.provide(auth),
      Layer.provide(Endpoint.layer({ variables: { subdomain, domain }, ...(Option.isSome(baseUrl) ? { baseUrl: baseUrl.value } : {}) }))
    )
  })
)
