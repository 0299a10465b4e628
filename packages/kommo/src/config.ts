/**
 * The Kommo v2 API from the environment (names under a prefix, `KOMMO` by default):
 *
 * - `<P>_SUBDOMAIN` (required) and `<P>_DOMAIN` (`kommo.com` by default);
 * - credentials, one of: `<P>_ACCESS_TOKEN` (bearer), or `<P>_LOGIN` and `<P>_API_KEY` (legacy
 *   API-key session);
 * - `<P>_BASE_URL` (optional): another server, e.g. the loopback mock.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import * as ApiKey from "./ApiKey.ts"
import { Auth } from "./generated/vendor.ts"
import { layerAccount, type Services } from "./account.ts"

const credentials = (prefix: string) =>
  Config.Redacted(`${prefix}_ACCESS_TOKEN`).pipe(
    Config.map((token): Layer.Layer<Auth, never, HttpClient.HttpClient> => Auth.bearer(token)),
    Config.orElse(() =>
      Config.all({ login: Config.String(`${prefix}_LOGIN`), apiKey: Config.Redacted(`${prefix}_API_KEY`) }).pipe(
        Config.map(({ apiKey, login }) => ApiKey.layer({ login, apiKey }))
      )
    )
  )

/**
 * Every v2 service configured from the environment (names under `prefix`, `KOMMO` by default), as
 * {@link layerAccount} builds them. Provide an `HttpClient`.
 */
export const layerConfig = (
  options: { readonly prefix?: string | undefined } = {}
): Layer.Layer<Services, Config.ConfigError, HttpClient.HttpClient> => {
  const prefix = options.prefix ?? "KOMMO"
  return Layer.unwrap(
    Effect.gen(function*() {
      const subdomain = yield* Config.String(`${prefix}_SUBDOMAIN`)
      const domain = yield* Config.String(`${prefix}_DOMAIN`).pipe(Config.withDefault("kommo.com"))
      const baseUrl = yield* Config.option(Config.String(`${prefix}_BASE_URL`))
      const auth = yield* credentials(prefix)
      return layerAccount({ subdomain, domain, baseUrl: Option.getOrUndefined(baseUrl), auth })
    })
  )
}
