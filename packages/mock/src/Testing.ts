/**
 * Helpers for tests that drive a real loopback server under `TestClock`.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect } from "effect"
import { TestClock } from "effect/testing"

// One turn of the event loop, so socket I/O can progress; it does not wait for any time to pass.
const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Advances the `TestClock` in `step`s, letting socket I/O run between steps, until `done` holds.
 * Fails after `limit` of virtual time, so a test that would hang fails instead.
 */
export const advanceUntil = <E, R>(
  done: Effect.Effect<boolean, E, R>,
  options: { readonly step?: Duration.Input | undefined; readonly limit?: Duration.Input | undefined } = {}
): Effect.Effect<void, E | Error, R> =>
  Effect.gen(function*() {
    const step = Duration.fromInputUnsafe(options.step ?? "50 millis")
    const limit = Duration.toMillis(Duration.fromInputUnsafe(options.limit ?? "10 minutes"))
    for (let elapsed = 0; elapsed <= limit; elapsed += Duration.toMillis(step)) {
      for (let i = 0; i < 5; i++) yield* turn
      if (yield* done) return
      yield* TestClock.adjust(step)
    }
    return yield* Effect.fail(new Error(`condition not met within ${Duration.format(Duration.millis(limit))} of virtual time`))
  })

/** Lets socket I/O run (event-loop turns, no time passes) until `done` holds, at most `turns` turns. */
export const settleUntil = <E, R>(done: Effect.Effect<boolean, E, R>, turns = 10_000): Effect.Effect<void, E | Error, R> =>
  Effect.gen(function*() {
    for (let i = 0; i < turns; i++) {
      if (yield* done) return
      yield* turn
    }
    return yield* Effect.fail(new Error(`condition not met within ${turns} event-loop turns`))
  })

/**
 * A Clock that records the sleeps it starts, so a test advances the `TestClock` once the program is
 * waiting rather than in steps while it works. Use it when request signing runs off the event loop
 * (WebCrypto runs on libuv's thread pool), where stepping time can overtake the program.
 */
export const sleepLog = Effect.gen(function*() {
  const clock = yield* Clock.Clock
  const sleeps: Array<number> = []
  const logged: Clock.Clock = {
    currentTimeMillisUnsafe: () => clock.currentTimeMillisUnsafe(),
    currentTimeMillis: clock.currentTimeMillis,
    currentTimeNanosUnsafe: () => clock.currentTimeNanosUnsafe(),
    currentTimeNanos: clock.currentTimeNanos,
    monotonicTimeNanosUnsafe: () => clock.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: clock.monotonicTimeNanos,
    sleep: (duration) => Effect.suspend(() => (sleeps.push(Duration.toMillis(duration)), clock.sleep(duration)))
  }
  return {
    /** Runs an effect on the recording Clock. */
    provide: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Clock.Clock, logged),
    /** Whether a sleep of this length has been started. */
    started: (duration: Duration.Input) =>
      Effect.sync(() => sleeps.includes(Duration.toMillis(Duration.fromInputUnsafe(duration))))
  }
})
