/**
 * `pnpm demo`: one example program per vendor, composing the real client layers (auth, retry, rate
 * limit) against mock vendors this script starts on loopback. Each vendor runs against its real API
 * instead when its credentials are in the environment (see README.md).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as AmoCRMDemo from "./demo/amocrm.ts"
import * as HelpScoutDemo from "./demo/helpscout.ts"
import * as KommoDemo from "./demo/kommo.ts"
import { Report } from "./demo/report.ts"
import * as SendbeeDemo from "./demo/sendbee.ts"
import * as ZendeskChatDemo from "./demo/zendesk-chat.ts"

const demos: ReadonlyArray<{
  readonly vendor: string
  readonly title: string
  readonly run: Effect.Effect<void, unknown, Report>
}> = [
  { vendor: "helpscout", title: "Help Scout", run: HelpScoutDemo.run },
  { vendor: "amocrm", title: "amoCRM", run: AmoCRMDemo.run },
  { vendor: "kommo", title: "Kommo (API v2)", run: KommoDemo.run },
  { vendor: "sendbee", title: "Sendbee", run: SendbeeDemo.run },
  { vendor: "zendesk-chat", title: "Zendesk Chat", run: ZendeskChatDemo.run }
]

const main = Effect.gen(function*() {
  yield* Console.log("vendor-sdk demo\n")
  const failures: Array<string> = []
  for (const demo of demos) {
    yield* Console.log(demo.title)
    const started = Date.now()
    const result = yield* Effect.result(demo.run.pipe(Effect.provide(Report.layer(demo.vendor))))
    if (result._tag === "Failure") {
      failures.push(demo.vendor)
      yield* Console.log(`  ${demo.vendor.padEnd(12)} FAILED: ${String(result.failure)}`)
    } else {
      yield* Console.log(`  ${demo.vendor.padEnd(12)} done in ${Date.now() - started} ms\n`)
    }
  }
  if (failures.length > 0) return yield* Effect.fail(new Error(`demo failed for ${failures.join(", ")}`))
  yield* Console.log("all demos passed")
})

NodeRuntime.runMain(main)
