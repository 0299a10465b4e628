/**
 * Disposable (one-time) tokens that amoCRM hands to widgets and to Salesbot/Marketingbot steps.
 *
 * Both are JWTs signed with the integration's client secret: widget tokens with HS256 and an audience
 * equal to the origin of the integration's redirect URI, bot tokens with HS512. Verification checks
 * the signature in constant time, `exp` and `nbf`, and the audience, then decodes the claims; any
 * failure is core's typed `InvalidToken`, with the reason. A redirect or receiver URL that is not an
 * absolute http(s) URL fails with {@link InvalidUrl}.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Schema } from "effect"
import { type Auth as CoreAuth, Jwt } from "@vendor-sdk/core"

/** The claims of a widget's disposable token. */
export const WidgetTokenClaims = Schema.Struct({
  /** Token id; remember used ids to refuse replays. */
  jti: Schema.String,
  /** The account host, e.g. `https://example.amocrm.ru`. */
  iss: Schema.String,
  aud: Schema.Union([Schema.String, Schema.Array(Schema.String)]),
  /** The integration id. */
  client_uuid: Schema.String,
  subdomain: Schema.optionalKey(Schema.String),
  account_id: Schema.Number,
  user_id: Schema.Number,
  is_admin: Schema.optionalKey(Schema.Boolean),
  iat: Schema.optionalKey(Schema.Number),
  nbf: Schema.optionalKey(Schema.Number),
  exp: Schema.Number
})
export type WidgetTokenClaims = typeof WidgetTokenClaims.Type

/** The claims of a Salesbot or Marketingbot disposable token. */
export const BotTokenClaims = Schema.Struct({
  client_uuid: Schema.String,
  iss: Schema.String,
  aud: Schema.optionalKey(Schema.Union([Schema.String, Schema.Array(Schema.String)])),
  subdomain: Schema.optionalKey(Schema.String),
  account_id: Schema.Number,
  /** The entity the bot runs on. */
  entity_id: Schema.Number,
  entity_type: Schema.Union([Schema.Number, Schema.String]),
  bot_type: Schema.Union([Schema.Literals(["salesbot", "marketingbot"]), Schema.String]),
  iat: Schema.optionalKey(Schema.Number),
  nbf: Schema.optionalKey(Schema.Number),
  exp: Schema.Number
})
export type BotTokenClaims = typeof BotTokenClaims.Type

/** The redirect or receiver URL to compare the audience with is not an absolute http(s) URL. */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  url: Schema.String,
  message: Schema.String
}) {}

/** `scheme://host[:port]` of a URL, as the audience of a disposable token names it. */
const originOf = (url: string): Effect.Effect<string, InvalidUrl> =>
  Effect.suspend(() => {
    const parsed = URL.parse(url)
    return parsed !== null && (parsed.protocol === "https:" || parsed.protocol === "http:")
      ? Effect.succeed(parsed.origin)
      : Effect.fail(new InvalidUrl({ url, message: `Not an absolute http(s) URL: ${url}` }))
  })

/** Verifies a widget token (HS256, `aud` = origin of `redirectUri`). */
export const verifyWidgetToken = (options: {
  readonly token: string
  readonly clientSecret: CoreAuth.Secret
  /** The integration's redirect URI; only its scheme, host and port are compared. */
  readonly redirectUri: string
  /** Leeway for `exp` and `nbf`; 30 seconds by default. */
  readonly tolerance?: Duration.Input | undefined
}): Effect.Effect<WidgetTokenClaims, Jwt.InvalidToken | InvalidUrl> =>
  Effect.flatMap(originOf(options.redirectUri), (audience) =>
    Jwt.verify({
      vendor: "amocrm",
      token: options.token,
      secret: options.clientSecret,
      algorithms: ["HS256"],
      claims: WidgetTokenClaims,
      audience,
      tolerance: options.tolerance
    }))

/**
 * Verifies a Salesbot/Marketingbot token (HS512). The audience is checked only when `receiverUrl` is
 * given, against its scheme, host and port, as the official SDK does.
 */
export const verifyBotToken = (options: {
  readonly token: string
  readonly clientSecret: CoreAuth.Secret
  readonly receiverUrl?: string | undefined
  readonly tolerance?: Duration.Input | undefined
}): Effect.Effect<BotTokenClaims, Jwt.InvalidToken | InvalidUrl> =>
  Effect.flatMap(options.receiverUrl === undefined ? Effect.undefined : originOf(options.receiverUrl), (audience) =>
    Jwt.verify({
      vendor: "amocrm",
      token: options.token,
      secret: options.clientSecret,
      algorithms: ["HS512"],
      claims: BotTokenClaims,
      audience,
      tolerance: options.tolerance
    }))
