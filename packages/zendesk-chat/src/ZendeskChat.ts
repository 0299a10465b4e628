/**
 * The Zendesk Chat Conversations API as an Effect service.
 *
 * Generated from specs/zendesk-chat (SDL, operation documents, protocol file): every operation as a
 * `GraphQL.query` / `mutation` / `subscription` with its Schemas, the {@link ZendeskChat} client over
 * them, the enums and input objects, the vendor's error classes and the `operations` registry.
 * Hand-written: the session transport ({@link Session}), {@link Auth}, the error rules
 * ({@link Retry}) and {@link layer}, which puts them together.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const chat = yield* ZendeskChat.ZendeskChat
 *   yield* chat.updateAgentStatus({ status: "ONLINE" })
 *   yield* chat.subscribeMessages().pipe(Stream.runForEach((m) => Effect.log(m.message?.node?.content)))
 * }).pipe(
 *   Effect.provide(ZendeskChat.layer()),
 *   Effect.provide(ZendeskChat.Auth.accessToken(token)),
 *   Effect.provide([NodeHttpClient.layerUndici, NodeSocket.layerWebSocketConstructor])
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { Socket } from "effect/socket"
import { Auth } from "./Auth.ts"
import { ZendeskChat } from "./generated/ZendeskChat.ts"
import { layerErrors } from "./Retry.ts"
import * as Session from "./Session.ts"

export { Auth } from "./Auth.ts"
export * from "./generated/index.ts"
export { layerErrors, Retry } from "./Retry.ts"
export * as Session from "./Session.ts"

/**
 * The {@link ZendeskChat} client over an agent session: the session starts and its socket opens when
 * the layer is built. Provide {@link Auth}, an `HttpClient` and a `Socket.WebSocketConstructor`
 * (`NodeHttpClient.layerUndici` and `NodeSocket.layerWebSocketConstructor` on Node).
 */
export const layer = (
  options: Session.Options = {}
): Layer.Layer<ZendeskChat, Session.StartError, Auth | HttpClient.HttpClient | Socket.WebSocketConstructor> =>
  // Fresh: the error middleware reads the `Retry` policy in context when it is built.
  ZendeskChat.layerProtocol.pipe(Layer.provide(Session.layer(options)), Layer.provide(Layer.fresh(layerErrors)))
