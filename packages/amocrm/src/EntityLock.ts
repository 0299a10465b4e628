/**
 * The entity update lock.
 *
 * amoCRM rejects an update whose entity changed in between ("Last modified date is older than in
 * database"), so two updates of one entity must not overlap. This lock serialises work per entity key
 * (`leads:42`): in process by default, and across processes with {@link EntityLock.layerRedis}.
 *
 * Several keys are taken in sorted order, so two batches that share entities cannot deadlock.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer, Schedule, Schema, Semaphore } from "effect"
import { Redis } from "effect/persistence"

/** The lock could not be taken in time, or its store failed. */
export class LockError extends Schema.TaggedError<LockError>()("LockError", {
  keys: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** Runs effects while holding the locks of entity keys. */
export interface Lock {
  readonly withLock: (keys: ReadonlyArray<string>) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LockError, R>
}

/** The key of one entity: `<entity type>:<id>`. */
export const key = (entityType: string, id: number | string): string => `${entityType}:${id}`

const ordered = (keys: ReadonlyArray<string>) => [...new Set(keys)].sort()

/** A lock table in process memory. */
export const makeMemory = (): Lock => {
  const held = new Map<string, { readonly semaphore: Semaphore.Semaphore; users: number }>()
  const acquire = (name: string) =>
    Effect.sync(() => {
      let entry = held.get(name)
      if (entry === undefined) {
        entry = { semaphore: Semaphore.makeUnsafe(1), users: 0 }
        held.set(name, entry)
      }
      entry.users++
      return entry
    })
  const release = (name: string) =>
    Effect.sync(() => {
      const entry = held.get(name)
      if (entry !== undefined && --entry.users === 0) held.delete(name)
    })
  const one = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(acquire(name), (entry) => entry.semaphore.withPermit(effect), () => release(name))
  return {
    withLock: (keys) => (effect) => ordered(keys).reduceRight((inner, name) => one(name, inner), effect)
  }
}

/** Options of the Redis lock. */
export interface RedisOptions {
  readonly prefix?: string | undefined
  /** How long a taken lock lives if its holder dies; 30 seconds by default. */
  readonly ttl?: Duration.Input | undefined
  /** How often a waiter tries again; 50 ms by default. */
  readonly retryEvery?: Duration.Input | undefined
  /** How long a waiter waits before failing with `LockError`; 60 seconds by default. */
  readonly timeout?: Duration.Input | undefined
}

// Deletes the key only while it still holds our token, so an expired lock taken over by another
// process is never released by us.
const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

/** A lock in Redis (`SET NX PX` with a token, compare-and-delete on release), shared by processes. */
export const makeRedis = (redis: Redis.Redis["Service"], options: RedisOptions = {}): Lock => {
  const prefix = options.prefix ?? "vendor-sdk:amocrm:lock:"
  const ttl = String(Duration.toMillis(Duration.fromInputUnsafe(options.ttl ?? "30 seconds")))
  const every = Duration.fromInputUnsafe(options.retryEvery ?? "50 millis")
  const timeout = Duration.fromInputUnsafe(options.timeout ?? "60 seconds")
  const fail = (keys: ReadonlyArray<string>, message: string) => new LockError({ keys, message })
  const take = (name: string, token: string) =>
    redis.send<string | null>("SET", prefix + name, token, "NX", "PX", ttl).pipe(
      Effect.mapError((error) => fail([name], `Redis refused the lock: ${error.message}`)),
      Effect.flatMap((answer) => answer === "OK" ? Effect.void : Effect.fail(fail([name], "busy"))),
      Effect.retry({ schedule: Schedule.spaced(every), while: (error) => error.message === "busy" }),
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () => Effect.fail(fail([name], `Lock ${name} not acquired within ${Duration.format(timeout)}`))
      })
    )
  const give = (name: string, token: string) =>
    Effect.ignore(redis.send("EVAL", releaseScript, "1", prefix + name, token))
  const one = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | LockError, R> =>
    Effect.acquireUseRelease(
      Effect.flatMap(Effect.sync(() => crypto.randomUUID()), (token) => Effect.as(take(name, token), token)),
      () => effect,
      (token) => give(name, token)
    )
  return {
    withLock: (keys) => (effect) =>
      ordered(keys).reduceRight<Effect.Effect<any, any, any>>((inner, name) => one(name, inner), effect)
  }
}

/** The lock used by this package's update helpers. In process memory unless a layer replaces it. */
export class EntityLock extends Context.Reference<Lock>("@vendor-sdk/amocrm/EntityLock", {
  defaultValue: makeMemory
}) {
  /** A fresh in-process lock table. */
  static readonly layerMemory: Layer.Layer<never> = Layer.sync(EntityLock, makeMemory)
  /** Locks in Redis, so updates of one entity are serialised across processes. */
  static readonly layerRedis = (options: RedisOptions = {}): Layer.Layer<never, never, Redis.Redis> =>
    Layer.effect(EntityLock, Effect.map(Redis.Redis, (redis) => makeRedis(redis, options)))
}

/** Runs `effect` holding the lock of one entity. */
export const withEntity = (entityType: string, id: number | string) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | LockError, R> =>
  Effect.flatMap(EntityLock, (lock) => lock.withLock([key(entityType, id)])(effect))

/** Runs `effect` holding the locks of several entities. */
export const withEntities = (entityType: string, ids: ReadonlyArray<number | string>) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | LockError, R> =>
  Effect.flatMap(EntityLock, (lock) => lock.withLock(ids.map((id) => key(entityType, id)))(effect))

/** `EntityLock.layerMemory`, at module level. */
export const layerMemory = EntityLock.layerMemory
/** `EntityLock.layerRedis`, at module level: `AmoCRM.EntityLock.layerRedis()`. */
export const layerRedis = EntityLock.layerRedis
