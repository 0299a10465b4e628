/**
 * Help Scout from the environment.
 *
 * - `HELPSCOUT_ACCESS_TOKEN`: a token to send as is; or
 * - `HELPSCOUT_APP_ID` and `HELPSCOUT_APP_SECRET`: an OAuth app, using the client-credentials grant;
 * - `HELPSCOUT_BASE_URL` (optional): another server, e.g. the loopback mock.
 *
 * Secrets are read as `Redacted`.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option } from "effect"
import { layer } from "./generated/layer.ts"
import { Auth, Endpoint } from "./generated/vendor.ts"

const credentials = Config.Redacted("HELPSCOUT_ACCESS_TOKEN").pipe(
  Config.map((token) => Auth.bearer(token)),
  Config.orElse(() =>
    Config.all({ appId: Config.String("HELPSCOUT_APP_ID"), appSecret: Config.Redacted("HELPSCOUT_APP_SECRET") }).pipe(
      Config.map(({ appId, appSecret }) => Auth.clientCredentials({ clientId: appId, clientSecret: appSecret }))
    )
  )
)

/** Every Help Scout service, configured from the environment. Provide an `HttpClient`. */
export const layerConfig = Layer.unwrap(
  Effect.gen(function*() {
    const auth = yield* credentials
    const baseUrl = yield* Config.option(Config.String("HELPSCOUT_BASE_URL"))
    return layer.pipe(
      Layer.provide(auth),
      Layer.provide(Endpoint.layer(Option.match(baseUrl, { onNone: () => ({}), onSome: (url) => ({ baseUrl: url }) })))
    )
  })
)
