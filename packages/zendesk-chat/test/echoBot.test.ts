/**
 * The guide's echo bot end to end against the loopback server: the agent goes online, each visitor
 * message is answered with its own text in its own channel, and the bot's own messages (which the
 * subscription also delivers) are not echoed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { EchoBot } from "@vendor-sdk/zendesk-chat/examples"
import { Testing } from "@vendor-sdk/mock"
import { setup } from "./support.ts"

describe("echo bot", () => {
  it.effect("answers each visitor with the same text, and ignores its own messages", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const bot = yield* EchoBot.echoes.pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
        yield* Testing.settleUntil(Effect.map(mock.liveSubscriptions, (n) => n === 1))
        expect(yield* mock.agentStatus).toBe("ONLINE")
        yield* mock.visitorSays({ channelId: "chat-a", visitor: { id: "2.a", display_name: "Visitor 12345678" }, text: "Hi" })
        yield* mock.visitorSays({ channelId: "chat-b", visitor: { id: "2.b", display_name: "Visitor 87654321" }, text: "Hello!" })
        yield* mock.visitorSays({ channelId: "chat-a", text: "Anyone there?" })
        expect(yield* Fiber.join(bot)).toEqual([
          { channelId: "chat-a", visitor: "Visitor 12345678", text: "Hi" },
          { channelId: "chat-b", visitor: "Visitor 87654321", text: "Hello!" },
          { channelId: "chat-a", visitor: "Visitor 12345678", text: "Anyone there?" }
        ])
        const replies = (yield* mock.messages).filter((m) => m.from.__typename === "Agent")
        expect(replies.map((m) => [m.channelId, m.content, m.kind])).toEqual([
          ["chat-a", "Hi", "text"],
          ["chat-b", "Hello!", "text"],
          ["chat-a", "Anyone there?", "text"]
        ])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.live("the demo runs the bot through an end of service, then transfers the chat", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      yield* EchoBot.demo((line) => Effect.sync(() => void lines.push(line)))
      expect(lines).toEqual([
        "agent is ONLINE and subscribed to messages",
        `Visitor 12345678 said "Hi"; the bot answered "Hi"`,
        "Zendesk ended the session (EOS); the bot started a new one and subscribed again",
        `echoed 2 visitor messages: "Hi" to Visitor 12345678, "Hello!" to Visitor 87654321`,
        "transferred demo-chat-2 to the online department Support"
      ])
    }))
})
