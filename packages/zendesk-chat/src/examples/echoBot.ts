/**
 * The echo bot of Zendesk's "Getting started with the Chat Conversations API": the session's agent
 * goes online, listens to chat messages, and answers every visitor message with the same text.
 *
 * {@link echoBot} runs it against whatever {@link ZendeskChat} is provided, e.g. the real API:
 *
 * ```ts
 * echoBot.pipe(
 *   Effect.provide(ZendeskChat.layer()),
 *   Effect.provide(ZendeskChat.Auth.layerConfig), // ZENDESK_CHAT_ACCESS_TOKEN
 *   Effect.provide([NodeHttpClient.layerUndici, NodeSocket.layerWebSocketConstructor]),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * {@link demo} runs it against the loopback mock, through an end of service in the middle.
 *
 * @since 0.1.0
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { Effect, Fiber, Result, Schedule, Stream } from "effect"
import type { GraphQLClientError } from "effect/graphql"
import * as Mock from "../mock.ts"
import * as ZendeskChat from "../ZendeskChat.ts"

/** One answered visitor message. */
export interface Echo {
  readonly channelId: string
  readonly visitor: string
  readonly text: string
}

/** The bot: sets the agent ONLINE, then echoes each visitor message; the Stream yields each echo sent. */
export const echoes: Stream.Stream<Echo, GraphQLClientError.GraphQLClientError | ZendeskChat.DeclaredError, ZendeskChat.ZendeskChat> =
  Stream.unwrap(Effect.gen(function*() {
    const chat = yield* ZendeskChat.ZendeskChat
    yield* chat.updateAgentStatus({ status: "ONLINE" })
    return chat.subscribeMessages().pipe(
      Stream.filterMap(({ message }) => {
        const node = message?.node
        // Only visitors' messages: the agent's own echoes arrive on the same subscription.
        return node?.from?.__typename === "Visitor" && node.channel !== null && node.content !== null
          ? Result.succeed({ channelId: node.channel.id, visitor: node.from.display_name ?? node.from.id, text: node.content })
          : Result.fail(undefined)
      }),
      Stream.mapEffect((echo) => Effect.as(chat.sendMessage({ channel_id: echo.channelId, msg: echo.text }), echo))
    )
  }))

/** Runs the bot until interrupted. */
export const echoBot = Stream.runDrain(echoes)

const waitFor = <E, R>(condition: Effect.Effect<boolean, E, R>) =>
  condition.pipe(Effect.repeat({ schedule: Schedule.spaced("10 millis"), until: (done) => done }), Effect.timeout("10 seconds"))

/**
 * The bot against the loopback mock: two visitors write, Zendesk ends the session in between (the
 * bot starts a new one and keeps listening), then the chat is transferred to an online department.
 * Each step is reported through `report`.
 */
export const demo = (report: (line: string) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const mock = yield* Mock.make()
    yield* Effect.gen(function*() {
      const bot = yield* echoes.pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* waitFor(Effect.map(mock.liveSubscriptions, (n) => n === 1))
      yield* report(`agent is ${yield* mock.agentStatus} and subscribed to messages`)
      yield* mock.visitorSays({ channelId: "demo-chat-1", visitor: { id: "2.demo1", display_name: "Visitor 12345678" }, text: "Hi" })
      yield* waitFor(Effect.map(mock.messages, (all) => all.some((m) => m.from.__typename === "Agent" && m.content === "Hi")))
      yield* report(`Visitor 12345678 said "Hi"; the bot answered "Hi"`)
      yield* mock.endOfService("unexpected session state")
      yield* waitFor(Effect.map(Effect.all([mock.sessions, mock.liveSubscriptions]), ([sessions, live]) => sessions.length === 2 && live === 1))
      yield* report("Zendesk ended the session (EOS); the bot started a new one and subscribed again")
      yield* mock.visitorSays({ channelId: "demo-chat-2", visitor: { id: "2.demo2", display_name: "Visitor 87654321" }, text: "Hello!" })
      const sent = yield* Fiber.join(bot)
      yield* report(`echoed ${sent.length} visitor messages: ${sent.map((echo) => `"${echo.text}" to ${echo.visitor}`).join(", ")}`)
      const online = yield* ZendeskChat.ZendeskChat.listDepartmentsStream().pipe(
        Stream.filter((department) => department.status === "ONLINE"),
        Stream.runHead
      )
      if (online._tag === "Some") {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* chat.transferToDepartment({ channel_id: "demo-chat-2", department_id: online.value.id })
        yield* report(`transferred demo-chat-2 to the online department ${online.value.name}`)
      }
    }).pipe(Effect.provide(ZendeskChat.layer({ url: mock.graphqlUrl })))
  }).pipe(
    Effect.scoped,
    Effect.provide(ZendeskChat.Auth.accessToken(Mock.demoToken)),
    Effect.provide([NodeHttpClient.layerUndici, NodeSocket.layerWebSocketConstructor])
  )
