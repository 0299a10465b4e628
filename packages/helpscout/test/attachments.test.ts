import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { HelpScout } from "@vendor-sdk/helpscout"
import { newConversation, setup } from "./support.ts"

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])

describe("attachments", () => {
  it("detects the MIME type from the name, then from the bytes", () => {
    expect(HelpScout.AttachmentFiles.fromBytes("notes.txt", new TextEncoder().encode("hi"))).toEqual({
      fileName: "notes.txt",
      mimeType: "text/plain",
      data: "aGk="
    })
    expect(HelpScout.AttachmentFiles.fromBytes("upload", png).mimeType).toBe("image/png")
    expect(HelpScout.AttachmentFiles.fromBytes("blob", new Uint8Array([1, 2])).mimeType).toBe("application/octet-stream")
  })

  it.live("reads a file and sends it base64-encoded", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "hs-"))
      Fs.writeFileSync(Path.join(dir, "logo.png"), png)
      const attachment = yield* HelpScout.AttachmentFiles.fromFile(Path.join(dir, "logo.png")).pipe(Effect.provide(NodeFileSystem.layer))
      expect(attachment).toEqual({ fileName: "logo.png", mimeType: "image/png", data: Buffer.from(png).toString("base64") })
      const { layer, mock } = yield* setup()
      yield* Effect.gen(function*() {
        const { id } = yield* HelpScout.Conversations.use((c) => c.createConversation({ body: newConversation("files") }))
        yield* HelpScout.Attachments.use((a) => a.createAttachment({ conversationId: id, threadId: 5000, body: attachment }))
      }).pipe(Effect.provide(layer))
      const last = (yield* mock.requests).at(-1)!
      expect(last.path).toBe("/v2/conversations/1000/threads/5000/attachments")
      expect(last.body).toEqual(attachment)
    }).pipe(Effect.scoped))
})
