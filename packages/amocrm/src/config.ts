/**
 * amoCRM from the environment (names under a prefix, `AMOCRM` by default):
 *
 * - `<P>_SUBDOMAIN` (required) and `<P>_DOMAIN` (`amocrm.ru` by default; `amocrm.com`, `kommo.com`);
 * - credentials, one of:
 *   - `<P>_ACCESS_TOKEN`: a long-lived token;
 *   - `<P>_CLIENT_ID`, `<P>_CLIENT_SECRET`, `<P>_REDIRECT_URI` and `<P>_REFRESH_TOKEN` or `<P>_AUTH_CODE`;
 * - `<P>_BASE_URL` (optional): another server, e.g. the loopback mock.
 *
 * Secrets are read as `Redacted`.
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import { layerAccount, type Services } from "./account.ts"
import * as OAuth from "./OAuth.ts"

const credentials = (prefix: string) =>
  Config.Redacted(`${prefix}_ACCESS_TOKEN`).pipe(
    Config.map((token) => OAuth.longLived(token)),
    Config.orElse(() =>
      Config.all({
        clientId: Config.String(`${prefix}_CLIENT_ID`),
        clientSecret: Config.Redacted(`${prefix}_CLIENT_SECRET`),
        redirectUri: Config.String(`${prefix}_REDIRECT_URI`),
        refreshToken: Config.Redacted(`${prefix}_REFRESH_TOKEN`).pipe(Config.option),
        code: Config.Redacted(`${prefix}_AUTH_CODE`).pipe(Config.option)
      }).pipe(
        Config.map((c) =>
          OAuth.layer({
            clientId: c.clientId,
            clientSecret: c.clientSecret,
            redirectUri: c.redirectUri,
            refreshToken: Option.getOrUndefined(c.refreshToken),
            code: Option.getOrUndefined(c.code)
          })
        )
      )
    )
  )

/**
 * Every amoCRM service configured from the environment, as {@link layerAccount} builds them (its own
 * client, tokens keyed by the account's host, its own rate-limit budget). Provide an `HttpClient`.
 */
export const layerConfig = (
  options: { readonly prefix?: string | undefined; readonly defaultDomain?: string | undefined } = {}
): Layer.Layer<Services, Config.ConfigError, HttpClient.HttpClient> => {
  const prefix = options.prefix ?? "AMOCRM"
  return Layer.unwrap(
    Effect.gen(function*() {
      const subdomain = yield* Config.String(`${prefix}_SUBDOMAIN`)
      const domain = yield* Config.String(`${prefix}_DOMAIN`).pipe(Config.withDefault(options.defaultDomain ?? "amocrm.ru"))
      const baseUrl = yield* Config.option(Config.String(`${prefix}_BASE_URL`))
      const auth = yield* credentials(prefix)
      return layerAccount({ subdomain, domain, baseUrl: Option.getOrUndefined(baseUrl), auth })
    })
  )
}
