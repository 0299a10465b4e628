/**
 * `pnpm mock <vendor> [--port N]`: runs a mock vendor on loopback until interrupted, so you can
 * point your own application at it.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, type Scope } from "effect"
import * as AmoCRMMock from "@vendor-sdk/amocrm/mock"
import * as HelpScoutMock from "@vendor-sdk/helpscout/mock"
import * as KommoMock from "@vendor-sdk/kommo/mock"
import * as SendbeeMock from "@vendor-sdk/sendbee/mock"
import * as ZendeskChatMock from "@vendor-sdk/zendesk-chat/mock"

interface Entry {
  readonly start: (port: number | undefined) => Effect.Effect<{ readonly url: string }, never, Scope.Scope>
  readonly hint: string
}

const vendors: Record<string, Entry> = {
  helpscout: {
    start: (port) => HelpScoutMock.make({ port }),
    hint: `OAuth client credentials ${HelpScoutMock.demoClient.id} / ${HelpScoutMock.demoClient.secret} at /v2/oauth2/token`
  },
  amocrm: {
    start: (port) => AmoCRMMock.make({ port }),
    hint: `long-lived token ${AmoCRMMock.staticToken}; OAuth client ${AmoCRMMock.demoClient.id} / ${AmoCRMMock.demoClient.secret} at /oauth2/access_token`
  },
  kommo: {
    start: (port) => KommoMock.make({ port }),
    hint: `API v2; API-key login ${KommoMock.demoUser.login} / ${KommoMock.demoUser.apiKey} at /private/api/auth.php?type=json`
  },
  sendbee: {
    start: (port) => SendbeeMock.make({ port }),
    hint: `X-Api-Key ${SendbeeMock.demoCredentials.apiKey}, X-Auth-Token signed with ${SendbeeMock.demoCredentials.apiSecret}`
  },
  "zendesk-chat": {
    start: (port) => ZendeskChatMock.make({ port }),
    hint: `access token ${ZendeskChatMock.demoToken}; startAgentSession at /graphql/request, then the WebSocket it returns`
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
