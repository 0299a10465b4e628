/**
 * Decoding a page of 50 conversations (with embedded threads) through `Operation.decodeResponse`,
 * in this process, interpreted or JIT-compiled (`--jit`). Prints one JSON line.
 */
const jit = process.argv.includes("--jit")
if (jit) await import("@vendor-sdk/core/jit")
const { Effect } = await import("effect")
const { Operation } = await import("@vendor-sdk/core")
const { operations } = await import("@vendor-sdk/helpscout")
const { conversationPage } = await import("./fixtures.ts")

const text = JSON.stringify(conversationPage())
const response = { status: 200, headers: { "content-type": "application/json" }, body: JSON.parse(text) }
const decode = () => Effect.runSync(Operation.decodeResponse(operations.listConversations, response))

const first = performance.now()
decode()
const firstCall = performance.now() - first
for (let i = 0; i < 200; i++) decode()
const rounds = 2000
const started = performance.now()
for (let i = 0; i < rounds; i++) decode()
const elapsed = performance.now() - started
const parseStarted = performance.now()
for (let i = 0; i < rounds; i++) JSON.parse(text)
const parseElapsed = performance.now() - parseStarted
console.log(JSON.stringify({
  mode: jit ? "jit" : "interpreter",
  bytes: text.length,
  msPerPage: elapsed / rounds,
  jsonParseMsPerPage: parseElapsed / rounds,
  firstCallMs: firstCall
}))
