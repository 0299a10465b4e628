/**
 * Shared setup of the Zendesk Chat tests: the mock on loopback and a client layer pointed at it.
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import type { Socket } from "effect/socket"
import { ZendeskChat } from "@vendor-sdk/zendesk-chat"
import * as Mock from "@vendor-sdk/zendesk-chat/mock"
import * as Fs from "node:fs"
import * as Path from "node:path"

/** The mock plus a client layer for it: the demo token, retries without jitter. */
export const setup = (
  options: Mock.Options & {
    readonly session?: ZendeskChat.Session.Options | undefined
    readonly retry?: Parameters<typeof ZendeskChat.Retry.layer>[0] | undefined
    readonly auth?: Layer.Layer<ZendeskChat.Auth, never, any> | undefined
    /** The WebSocket constructor; defaults to Node's global WebSocket. */
    readonly webSocket?: Layer.Layer<Socket.WebSocketConstructor> | undefined
  } = {}
) =>
  Effect.gen(function*() {
    const mock = yield* Mock.make(options)
    const layer = ZendeskChat.layer({ url: mock.graphqlUrl, ...options.session }).pipe(
      Layer.provide(options.auth ?? ZendeskChat.Auth.accessToken(Mock.demoToken)),
      Layer.provide(ZendeskChat.Retry.layer({ jitter: false, ...options.retry })),
      Layer.provide([NodeHttpClient.layerUndici, options.webSocket ?? NodeSocket.layerWebSocketConstructor]),
      Layer.fresh
    )
    return { mock, layer }
  })

/** The client frames of one kind the mock received: `request` frames of an operation, or a type/sig. */
export const framesOf = (mock: Mock.ZendeskChatMock, match: { readonly operation?: string; readonly type?: string; readonly sig?: string }) =>
  Effect.map(mock.frames, (frames) =>
    frames.filter(({ frame, operation }) =>
      (match.operation === undefined || operation === match.operation) &&
      (match.type === undefined || frame.type === match.type) &&
      (match.sig === undefined || frame.sig === match.sig)
    )
  )

/** The vendor reference's operation table (shared/vendor-reference, beside the repository). */
export const referenceOperations = (): Array<{ operationId: string; method: string; path: string; group: string; paginated: string }> =>
  Fs.readFileSync(Path.resolve(import.meta.dirname, "../../../../shared/vendor-reference/zendesk-chat.operations.tsv"), "utf8")
    .trim().split("\n").slice(1).map((line) => {
      const [operationId, method, path, group, paginated] = line.split("\t") as [string, string, string, string, string]
      return { operationId, method, path, group, paginated }
    })
