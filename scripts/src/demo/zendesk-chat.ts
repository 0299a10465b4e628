/**
 * Zendesk Chat: the echo bot of the Conversations API docs (answer every visitor message with its
 * own text). Against the loopback mock by default, through an end of session (EOS) that the client
 * recovers from by starting a new agent session and subscribing again.
 *
 * With ZENDESK_CHAT_ACCESS_TOKEN (OAuth scopes read, write, chat) in the environment, the bot runs
 * against the real API until it has answered ZENDESK_CHAT_ECHOES visitor messages (3 by default).
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { Config, Effect, Option, Stream } from "effect"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import { EchoBot } from "@vendor-sdk/zendesk-chat/examples"
import { line, Report } from "./report.ts"

const live = (echoes: number) =>
  Effect.gen(function*() {
    yield* line(`using the real Zendesk Chat API; answering ${echoes} visitor messages`)
    yield* EchoBot.echoes.pipe(
      Stream.take(echoes),
      Stream.runForEach((echo) => line(`echoed "${echo.text}" to ${echo.visitor}`))
    )
  }).pipe(
    Effect.provide(ZendeskChat.layer()),
    Effect.provide(ZendeskChat.Auth.layerConfig),
    Effect.provide([NodeHttpClient.layerUndici, NodeSocket.layerWebSocketConstructor])
  )

export const run = Effect.gen(function*() {
  const token = yield* Effect.option(Config.String("ZENDESK_CHAT_ACCESS_TOKEN"))
  if (Option.isSome(token)) {
    return yield* live(yield* Config.Int("ZENDESK_CHAT_ECHOES").pipe(Config.withDefault(3)))
  }
  return yield* Report.use((report) => EchoBot.demo(report.line))
})
