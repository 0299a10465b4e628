/**
 * Operations against the loopback server: structured messages with their fallback, departments
 * paged Relay-style as a Stream, transfer to an online department, and the generated Schemas
 * rejecting bad variables before anything is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import { framesOf, setup } from "./support.ts"

describe("structured messages", () => {
  it.effect("sendQuickReplies sends the quick replies and the fallback for clients that cannot show them", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        yield* mock.visitorSays({ channelId: "c1", text: "Which flavours?" })
        const chat = yield* ZendeskChat.ZendeskChat
        const flavours = ["Chocolate", "Vanilla", "Cookies and cream"]
        const result = yield* chat.sendQuickReplies({
          channel_id: "c1",
          msg: "We have the following options. Which one is your favorite?",
          quick_replies: flavours.map((text) => ({ action: { value: `My favorite is ${text.toLowerCase()}` }, text })),
          fallback: { msg: "We have the following options. Which one is your favorite?", options: flavours }
        })
        expect(result).toEqual({ sendQuickReplies: { success: true } })
        const sent = (yield* mock.messages).find((m) => m.kind === "quick_replies")
        expect(sent?.content).toBe("We have the following options. Which one is your favorite?")
        expect(sent?.structured).toEqual({
          quick_replies: [
            { action: { value: "My favorite is chocolate" }, text: "Chocolate" },
            { action: { value: "My favorite is vanilla" }, text: "Vanilla" },
            { action: { value: "My favorite is cookies and cream" }, text: "Cookies and cream" }
          ],
          fallback: { msg: "We have the following options. Which one is your favorite?", options: flavours }
        })
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("sendButtonTemplate encodes its enum, and invalid variables fail before anything is sent", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        yield* mock.visitorSays({ channelId: "c1", text: "help" })
        const chat = yield* ZendeskChat.ZendeskChat
        yield* chat.sendButtonTemplate({
          channel_id: "c1",
          msg: "Read more",
          buttons: [{ action: { type: "LINK_ACTION", value: "https://example.com/faq" }, text: "FAQ" }]
        })
        const [frame] = yield* framesOf(mock, { operation: "sendButtonTemplate" })
        expect(frame?.frame.payload.variables.buttons[0].action).toEqual({ type: "LINK_ACTION", value: "https://example.com/faq" })
        const error = yield* Effect.flip(chat.sendButtonTemplate({
          channel_id: "c1",
          msg: "Read more",
          buttons: [{ action: { type: "OPEN_APP" as "LINK_ACTION", value: "x" }, text: "App" }]
        }))
        expect(error._tag).toBe("GraphQLClientError")
        if (error._tag === "GraphQLClientError") expect(error.reason._tag).toBe("EncodeError")
        expect((yield* framesOf(mock, { operation: "sendButtonTemplate" })).length).toBe(1)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("departments", () => {
  it.effect("listDepartmentsStream pages through the Relay connection with $after, lazily", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup({ pageSize: 2 })
      yield* Effect.gen(function*() {
        const all = yield* ZendeskChat.ZendeskChat.listDepartmentsStream().pipe(Stream.runCollect)
        expect(all.map((d) => [d.id, d.status])).toEqual([
          ["dept-sales", "OFFLINE"],
          ["dept-support", "ONLINE"],
          ["dept-billing", "AWAY"]
        ])
        const pages = yield* framesOf(mock, { operation: "listDepartments" })
        expect(pages.map(({ frame }) => frame.payload.variables.after)).toEqual([undefined, "1"])
        // Only the pages the consumer pulls are fetched.
        yield* ZendeskChat.ZendeskChat.listDepartmentsStream({ first: 1 }).pipe(Stream.take(1), Stream.runCollect)
        expect((yield* framesOf(mock, { operation: "listDepartments" })).length).toBe(3)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.effect("transfers a chat to an online department found through the departments query", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const chat = yield* ZendeskChat.ZendeskChat
        yield* mock.visitorSays({ channelId: "c7", text: "I need billing help" })
        const online = yield* ZendeskChat.ZendeskChat.listDepartmentsStream().pipe(
          Stream.filter((department) => department.status === "ONLINE"),
          Stream.runCollect
        )
        expect(online.map((d) => d.name)).toEqual(["Support"])
        expect(yield* chat.transferToDepartment({ channel_id: "c7", department_id: online[0]!.id })).toEqual({
          transferToDepartment: { success: true }
        })
        expect(yield* mock.transfers).toEqual([{ channelId: "c7", departmentId: "dept-support" }])
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))
})

describe("layerTest", () => {
  it.effect("answers operations from handlers, with no server: streams page through them too", () =>
    Effect.gen(function*() {
      const calls: Array<unknown> = []
      const names = yield* ZendeskChat.ZendeskChat.listAgentsStream().pipe(
        Stream.map((agent) => agent.display_name),
        Stream.runCollect,
        Effect.provide(ZendeskChat.ZendeskChat.layerTest({
          listAgents: (variables) => {
            calls.push(variables)
            const page = variables.after === undefined ? 0 : 1
            return Effect.succeed({
              agents: {
                pageInfo: { hasNextPage: page === 0, endCursor: page === 0 ? "c0" : null },
                edges: [{ node: { id: `a${page}`, name: null, display_name: `Agent ${page}`, status: "ONLINE" as const } }]
              }
            })
          }
        }))
      )
      expect(names).toEqual(["Agent 0", "Agent 1"])
      expect(calls).toEqual([{}, { after: "c0" }])
    }))
})
