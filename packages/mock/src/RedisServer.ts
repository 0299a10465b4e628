/**
 * A real redis-server for tests: started on a free loopback port for the lifetime of the scope and
 * stopped (by its own pid) when the scope closes. Needs `redis-server` on the PATH
 * (`apt-get install -y redis-server`; CI installs it).
 *
 * @since 0.1.0
 */
import { Clock, Effect, Schedule, Schema } from "effect"
import { spawn } from "node:child_process"
import * as Net from "node:net"

/** redis-server could not be started. */
export class RedisUnavailable extends Schema.TaggedError<RedisUnavailable>()("RedisUnavailable", {
  message: Schema.String
}) {}

const freePort = Effect.callback<number, RedisUnavailable>((resume) => {
  const server = Net.createServer()
  server.once("error", (error) => resume(Effect.fail(new RedisUnavailable({ message: error.message }))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const ping = (port: number) =>
  Effect.callback<void, RedisUnavailable>((resume) => {
    const socket = Net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (data) => {
      socket.destroy()
      resume(data.toString().startsWith("+PONG") ? Effect.void : Effect.fail(new RedisUnavailable({ message: data.toString() })))
    })
    socket.once("error", (error) => {
      socket.destroy()
      resume(Effect.fail(new RedisUnavailable({ message: error.message })))
    })
  })

/**
 * Starts redis-server and waits until it answers PING; yields its `redis://` URL. It waits by the
 * live clock, so it works inside tests on a `TestClock` too.
 */
export const redisServer = Effect.gen(function*() {
  const port = yield* freePort
  const child = yield* Effect.acquireRelease(
    Effect.sync(() =>
      spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: "ignore"
      })
    ),
    (child) =>
      Effect.callback<void>((resume) => {
        if (child.exitCode !== null || child.pid === undefined) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        process.kill(child.pid, "SIGTERM")
      })
  )
  const exited = Effect.suspend(() =>
    child.exitCode !== null || child.spawnfile === undefined
      ? Effect.fail(new RedisUnavailable({ message: `redis-server exited with ${child.exitCode}` }))
      : Effect.void
  )
  const failedToSpawn = yield* Effect.callback<string | undefined>((resume) => {
    child.once("error", (error) => resume(Effect.succeed(error.message)))
    child.once("spawn", () => resume(Effect.succeed(undefined)))
  })
  if (failedToSpawn !== undefined) {
    return yield* new RedisUnavailable({ message: `cannot start redis-server (apt-get install -y redis-server): ${failedToSpawn}` })
  }
  // Readiness, not timing: poll PING until the server answers, for at most 10 seconds.
  yield* Effect.andThen(exited, ping(port)).pipe(
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo({ times: 500 }))),
    // Real time passes while redis-server starts, whatever Clock the test runs on.
    Effect.provideService(Clock.Clock, Clock.Clock.defaultValue())
  )
  return `redis://127.0.0.1:${port}`
})
