/**
 * `pnpm mock <vendor> [--port N]`: runs a mock vendor on loopback until interrupted, so you can
 * point your own application at it.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, type Scope } from "effect"
import type { Mock } from "@vendor-sdk/mock"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"

const vendors: Record<string, { readonly start: (port: number | undefined) => Effect.Effect<Mock.Mock, never, Scope.Scope>; readonly hint: string }> = {
  helpscout: {
    start: (port) => HelpScoutMock.make({ port }),
    hint: `OAuth client credentials: ${HelpScoutMock.demoClient.id} / ${HelpScoutMock.demoClient.secret} at /v2/oauth2/token`
  }
}

const [vendor, ...rest] = process.argv.slice(2)
const port = rest.includes("--port") ? Number(rest[rest.indexOf("--port") + 1]) : undefined
const entry = vendor === undefined ? undefined : vendors[vendor]

const main = entry === undefined
  ? Console.error(`usage: pnpm mock <vendor> [--port N]; vendors: ${Object.keys(vendors).join(", ")}`).pipe(
    Effect.andThen(Effect.fail(new Error("unknown vendor")))
  )
  : Effect.gen(function*() {
    const mock = yield* entry.start(port)
    yield* Console.log(`${vendor} mock listening on ${mock.url}\n${entry.hint}\nCtrl-C to stop.`)
    return yield* Effect.never
  }).pipe(Effect.scoped)

NodeRuntime.runMain(main)
