import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import { Retry } from "@vendor-sdk/core"

/** The delays a schedule asks for, fed the same failure every time. */
const delays = (schedule: Schedule.Schedule<Duration.Duration, unknown>, failure: unknown, steps: number) =>
  Effect.gen(function*() {
    const step = yield* Schedule.toStep(schedule)
    const out: Array<number> = []
    for (let i = 0; i < steps; i++) {
      const [, delay] = yield* step(i * 1000, failure)
      out.push(Duration.toMillis(delay))
    }
    return out
  })

const policy: Retry.Policy = { ...Retry.disabled, times: 50, base: "1 second", cap: "8 seconds", jitter: true }
const transport = new Retry.TransportFailure({ cause: new Error("reset"), reachedServer: true })

describe("Retry.schedule", () => {
  it.effect("doubles from base and never waits longer than cap, jitter included", () =>
    Effect.gen(function*() {
      const waits = yield* delays(Retry.schedule(policy), transport, 40)
      expect(Math.max(...waits)).toBeLessThanOrEqual(8000)
      // jitter spreads the early delays around 1 s, 2 s, 4 s
      expect(waits[0]).toBeGreaterThanOrEqual(800)
      expect(waits[0]).toBeLessThanOrEqual(1200)
      // capped delays still spread, so clients do not retry in lockstep
      expect(new Set(waits.slice(5)).size).toBeGreaterThan(1)
    }))

  it.effect("waits as long as Retry-After asks, even beyond cap", () =>
    Effect.gen(function*() {
      const failure = new Retry.RetryableResponse({
        response: { status: 429, headers: {}, body: undefined },
        retryAfter: Duration.seconds(30)
      })
      const waits = yield* delays(Retry.schedule({ ...policy, jitter: false }), failure, 3)
      expect(waits).toEqual([30_000, 30_000, 30_000])
    }))
})
