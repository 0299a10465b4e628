/**
 * `pnpm bench`: speed and memory figures, printed. The machines are noisy, so compare the ratios
 * measured within one run rather than absolute numbers across runs.
 *
 * 1. Decoding a page of 50 conversations: Schema interpreter vs JIT (`@vendor-sdk/core/jit`).
 * 2. The per-call cost of the client pipeline (encode, auth, retry, rate limit, decode, span)
 *    against a raw `HttpClient` GET + `JSON.parse` to the same loopback server.
 * 3. Memory while streaming 20,000 conversations page by page: the heap stays flat.
 * 4. Generating every package, stage by stage.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Stream } from "effect"
import { HttpClient } from "effect/http"
import { execFileSync } from "node:child_process"
import { generateTarget } from "@vendor-sdk/codegen/generate"
import { targets } from "@vendor-sdk/codegen/targets"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { HelpScout } from "@vendor-sdk/helpscout"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"
import { conversationRecord } from "./bench/fixtures.ts"

const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "../..")
const node = process.execPath
const fixed = (n: number, digits = 2) => n.toFixed(digits)

const section = (title: string) => console.log(`\n## ${title}`)

// 1. Decoding -------------------------------------------------------------------------------------
section("Decoding a page of 50 conversations with 150 embedded threads")
const decodeRun = (jit: boolean) =>
  JSON.parse(
    execFileSync(node, ["--conditions=@vendor-sdk/source", Path.join(here, "bench/decode.ts"), ...(jit ? ["--jit"] : [])], {
      encoding: "utf8"
    })
  ) as { bytes: number; msPerPage: number; jsonParseMsPerPage: number; firstCallMs: number }
const interpreted = decodeRun(false)
const compiled = decodeRun(true)
console.log(`page size: ${fixed(interpreted.bytes / 1024, 1)} KiB of JSON`)
console.log(`JSON.parse alone:          ${fixed(interpreted.jsonParseMsPerPage, 3)} ms/page`)
console.log(`decode, interpreter:       ${fixed(interpreted.msPerPage, 3)} ms/page (first call ${fixed(interpreted.firstCallMs, 1)} ms)`)
console.log(`decode, JIT:               ${fixed(compiled.msPerPage, 3)} ms/page (first call ${fixed(compiled.firstCallMs, 1)} ms)`)
console.log(`JIT speed-up:              ${fixed(interpreted.msPerPage / compiled.msPerPage, 1)}x`)

// 2. Pipeline overhead ----------------------------------------------------------------------------
section("Per-call cost of the client pipeline, against the loopback mock")
const pipeline = Effect.gen(function*() {
  const mock = yield* HelpScoutMock.make({ staticTokens: ["bench"], rateLimit: 1_000_000 })
  const calls = 2000
  const raw = yield* HttpClient.HttpClient
  const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      for (let i = 0; i < 100; i++) yield* effect
      const started = performance.now()
      for (let i = 0; i < calls; i++) yield* effect
      return (performance.now() - started) / calls
    })
  const rawCall = raw.get(`${mock.url}/v2/mailboxes/1`, { headers: { authorization: "Bearer bench" } }).pipe(
    Effect.flatMap((response) => response.text),
    Effect.map((text) => JSON.parse(text))
  )
  const client = (rateLimit: Layer.Layer<never>) =>
    HelpScout.Mailboxes.layer.pipe(
      Layer.provide(HelpScout.Client.layer),
      Layer.provide(HelpScout.Auth.bearer("bench")),
      Layer.provide(rateLimit),
      Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url })),
      Layer.fresh
    )
  const sdkCall = HelpScout.Mailboxes.use((m) => m.getMailbox({ mailboxId: 1 }))
  const rawMs = yield* timed(rawCall)
  const sdkMs = yield* timed(sdkCall).pipe(Effect.provide(client(HelpScout.RateLimit.disabled)))
  const limitedMs = yield* timed(sdkCall).pipe(Effect.provide(client(HelpScout.RateLimit.layer({ limit: 1_000_000 }))))
  console.log(`raw HttpClient GET + JSON.parse:     ${fixed(rawMs, 3)} ms/call`)
  console.log(`generated client, no rate limit:     ${fixed(sdkMs, 3)} ms/call (${fixed(sdkMs / rawMs)}x raw)`)
  console.log(`generated client, with rate limiter: ${fixed(limitedMs, 3)} ms/call (${fixed(limitedMs / rawMs)}x raw)`)
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))
await Effect.runPromise(pipeline)

// 3. Streaming memory -----------------------------------------------------------------------------
section("Heap while streaming 20,000 conversations, 50 per page")
const streaming = Effect.gen(function*() {
  const mock = yield* HelpScoutMock.make({ staticTokens: ["bench"], pageSize: 50, rateLimit: 1_000_000 })
  const conversations = mock.state.collection("conversations")
  for (let i = 1; i <= 20_000; i++) {
    const { _embedded: _, ...record } = conversationRecord(i)
    conversations.insert(record)
  }
  const layer = HelpScout.Conversations.layer.pipe(
    Layer.provide(HelpScout.Client.layer),
    Layer.provide(HelpScout.Auth.bearer("bench")),
    Layer.provide(HelpScout.RateLimit.disabled),
    Layer.provide(HelpScout.Endpoint.layer({ baseUrl: mock.url }))
  )
  const heap = () => {
    globalThis.gc?.()
    return process.memoryUsage().heapUsed / 1024 / 1024
  }
  const samples: Array<[number, number]> = []
  let count = 0
  const baseline = heap()
  yield* HelpScout.Conversations.use((c) =>
    c.listConversationsStream({ status: "all" }).pipe(
      Stream.runForEach(() =>
        Effect.sync(() => {
          count++
          if (count % 4000 === 0) samples.push([count, heap()])
        })
      )
    )
  ).pipe(Effect.provide(layer))
  console.log(`baseline heap (mock state included): ${fixed(baseline, 1)} MiB`)
  for (const [n, mib] of samples) console.log(`after ${String(n).padStart(6)} items: ${fixed(mib, 1)} MiB`)
  const first = samples[0]![1]
  const last = samples[samples.length - 1]![1]
  console.log(`heap growth from 4,000 to 20,000 items: ${fixed(last / first, 2)}x (constant memory: ~1x)`)
}).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))
await Effect.runPromise(streaming)

// 4. Generation -----------------------------------------------------------------------------------
section("Generating every package (spec → IR → files, in memory)")
let total = 0
for (const target of targets) {
  const started = performance.now()
  const result = await generateTarget(root, target)
  const ms = performance.now() - started
  total += ms
  const t = result.timings
  console.log(
    `${target.vendor.padEnd(14)} ${String(result.ir.operations.length).padStart(4)} operations ${String(result.files.size).padStart(3)} files ` +
      `${String(Math.round(ms)).padStart(6)} ms (load ${Math.round(t.load)}, validate ${Math.round(t.validate)}, normalise ${
        Math.round(t.normalise)
      }, emit ${Math.round(t.emit)})`
  )
}
console.log(`all packages: ${Math.round(total)} ms`)
