/**
 * The example of README.md, kept here so `pnpm check` type-checks it. Keep the two in sync.
 */
import { NodeHttpClient, NodeRuntime, NodeSocket } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"

const program = Effect.gen(function*() {
  const chat = yield* ZendeskChat.ZendeskChat
  yield* chat.updateAgentStatus({ status: "ONLINE" })
  yield* chat.subscribeMessages().pipe(
    Stream.runForEach(({ message }) => {
      const node = message?.node
      if (node?.from?.__typename !== "Visitor" || node.channel === null || node.content === null) return Effect.void
      return chat.sendMessage({ channel_id: node.channel.id, msg: node.content })
    })
  )
})

export const main = () =>
  program.pipe(
    Effect.provide(ZendeskChat.layer()),
    Effect.provide(ZendeskChat.Auth.layerConfig), // ZENDESK_CHAT_ACCESS_TOKEN
    Effect.provide([NodeHttpClient.layerUndici, NodeSocket.layerWebSocketConstructor]),
    NodeRuntime.runMain
  )
