/**
 * Where OAuth tokens live between calls and between processes.
 *
 * A refresh token that rotates must be saved before the new access token is used: if the process
 * dies right after a refresh, the next one must find the new refresh token, because the old one no
 * longer works. The OAuth2 authenticators write through this service for that reason.
 *
 * Implementations: in memory (the default when none is provided), any `KeyValueStore`, a directory of
 * files readable only by their owner, and Redis.
 *
 * @since 0.1.0
 */
import { Context, Effect, FileSystem, Layer, Option, Redacted, Schema } from "effect"
import { KeyValueStore, Redis } from "effect/persistence"

/** A set of OAuth tokens. Secrets are `Redacted`; `expiresAt` and `issuedAt` are epoch milliseconds. */
export const TokenSet = Schema.Struct({
  accessToken: Schema.RedactedFromValue(Schema.String),
  refreshToken: Schema.optionalKey(Schema.RedactedFromValue(Schema.String)),
  expiresAt: Schema.optionalKey(Schema.Number),
  /** When the token was obtained; with `expiresAt` it gives the token's lifetime. */
  issuedAt: Schema.optionalKey(Schema.Number),
  tokenType: Schema.optionalKey(Schema.String),
  scope: Schema.optionalKey(Schema.String)
})
export type TokenSet = typeof TokenSet.Type

/** The store could not be read or written. */
export class TokenStoreError extends Schema.TaggedError<TokenStoreError>()("TokenStoreError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** Keeps token sets by key (`<vendor>:<account>`). */
export class TokenStore extends Context.Service<TokenStore, {
  readonly get: (key: string) => Effect.Effect<Option.Option<TokenSet>, TokenStoreError>
  readonly set: (key: string, tokens: TokenSet) => Effect.Effect<void, TokenStoreError>
  readonly remove: (key: string) => Effect.Effect<void, TokenStoreError>
}>()("@vendor-sdk/core/TokenStore") {
  /** Tokens in process memory; lost on exit. */
  static readonly layerMemory: Layer.Layer<TokenStore> = Layer.sync(TokenStore, () => makeMemory())

  /** Tokens in any `KeyValueStore`, as JSON under `tokens:<key>`. */
  static readonly layerKeyValueStore: Layer.Layer<TokenStore, never, KeyValueStore.KeyValueStore> = Layer.effect(
    TokenStore,
    Effect.map(KeyValueStore.KeyValueStore, (store) => fromKeyValueStore(store))
  )

  /**
   * One file per key in `directory`. A directory this layer creates gets mode 0700 (one that
   * exists keeps its mode), and every file is written with mode 0600, because the files hold live
   * credentials in plain text.
   */
  static readonly layerFileSystem = (
    directory: string
  ): Layer.Layer<TokenStore, TokenStoreError, FileSystem.FileSystem> =>
    Layer.effect(
      TokenStore,
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const fail = (message: string) => (cause: unknown) => new TokenStoreError({ message, cause })
        yield* fs.exists(directory).pipe(
          Effect.flatMap((exists) =>
            exists
              ? Effect.void
              : fs.makeDirectory(directory, { recursive: true, mode: 0o700 }).pipe(
                // mkdir's mode is narrowed by the umask; the directory must be private regardless.
                Effect.andThen(fs.chmod(directory, 0o700))
              )
          ),
          Effect.mapError(fail(`Cannot create token directory ${directory}`))
        )
        const pathOf = (key: string) => `${directory}/${encodeURIComponent(key)}.json`
        const codec = Schema.toCodecJson(TokenSet)
        const encode = Schema.encodeEffect(Schema.fromJsonString(codec))
        const decode = Schema.decodeUnknownEffect(Schema.fromJsonString(codec))
        return TokenStore.of({
          get: (key) =>
            fs.readFileString(pathOf(key)).pipe(
              Effect.flatMap((text) => Effect.map(decode(text), Option.some)),
              Effect.catchTag("PlatformError", (error) =>
                error.reason._tag === "NotFound"
                  ? Effect.succeed(Option.none<TokenSet>())
                  : Effect.fail(error)),
              Effect.mapError(fail(`Cannot read tokens for ${key}`))
            ),
          set: (key, tokens) =>
            encode(tokens).pipe(
              Effect.flatMap((text) => {
                // Write beside the target and rename, so a crash never leaves half a token file.
                const temporary = `${pathOf(key)}.${crypto.randomUUID()}.tmp`
                return fs.writeFileString(temporary, text, { mode: 0o600 }).pipe(
                  Effect.andThen(fs.chmod(temporary, 0o600)),
                  Effect.andThen(fs.rename(temporary, pathOf(key))),
                  Effect.onError(() => Effect.ignore(fs.remove(temporary, { force: true })))
                )
              }),
              Effect.mapError(fail(`Cannot write tokens for ${key}`))
            ),
          remove: (key) =>
            fs.remove(pathOf(key), { force: true }).pipe(Effect.mapError(fail(`Cannot remove tokens for ${key}`)))
        })
      })
    )

  /** Tokens in Redis under `<prefix><key>`, shared by every process that uses the same server. */
  static readonly layerRedis = (
    options: { readonly prefix?: string | undefined } = {}
  ): Layer.Layer<TokenStore, never, Redis.Redis> =>
    Layer.effect(
      TokenStore,
      Effect.gen(function*() {
        const redis = yield* Redis.Redis
        const prefix = options.prefix ?? "vendor-sdk:tokens:"
        const codec = Schema.fromJsonString(Schema.toCodecJson(TokenSet))
        const encode = Schema.encodeEffect(codec)
        const decode = Schema.decodeUnknownEffect(codec)
        const fail = (message: string) => (cause: unknown) => new TokenStoreError({ message, cause })
        return TokenStore.of({
          get: (key) =>
            redis.send<string | null>("GET", prefix + key).pipe(
              Effect.flatMap((text) => text === null ? Effect.succeed(Option.none()) : Effect.map(decode(text), Option.some)),
              Effect.mapError(fail(`Cannot read tokens for ${key} from Redis`))
            ),
          set: (key, tokens) =>
            encode(tokens).pipe(
              Effect.flatMap((text) => redis.send("SET", prefix + key, text)),
              Effect.asVoid,
              Effect.mapError(fail(`Cannot write tokens for ${key} to Redis`))
            ),
          remove: (key) =>
            redis.send("DEL", prefix + key).pipe(
              Effect.asVoid,
              Effect.mapError(fail(`Cannot remove tokens for ${key} from Redis`))
            )
        })
      })
    )
}

/** An in-memory store, for tests and single-process programs. */
export const makeMemory = (): TokenStore["Service"] => {
  const tokens = new Map<string, TokenSet>()
  return TokenStore.of({
    get: (key) => Effect.sync(() => Option.fromNullishOr(tokens.get(key))),
    set: (key, value) => Effect.sync(() => void tokens.set(key, value)),
    remove: (key) => Effect.sync(() => void tokens.delete(key))
  })
}

/** A store on any `KeyValueStore`. */
export const fromKeyValueStore = (store: KeyValueStore.KeyValueStore): TokenStore["Service"] => {
  const schemaStore = KeyValueStore.toSchemaStore(KeyValueStore.prefix(store, "tokens:"), TokenSet)
  const fail = (message: string) => (cause: unknown) => new TokenStoreError({ message, cause })
  return TokenStore.of({
    get: (key) => Effect.mapError(schemaStore.get(key), fail(`Cannot read tokens for ${key}`)),
    set: (key, value) => Effect.mapError(schemaStore.set(key, value), fail(`Cannot write tokens for ${key}`)),
    remove: (key) => Effect.mapError(schemaStore.remove(key), fail(`Cannot remove tokens for ${key}`))
  })
}

/** The access token's value, for comparing which token a rejected request carried. */
export const accessTokenValue = (tokens: TokenSet): string => Redacted.value(tokens.accessToken)
