/**
 * The entity update lock.
 *
 * amoCRM rejects an update whose entity changed in between ("Last modified date is older than in
 * database"), so two updates of one entity must not overlap. This lock serialises work per entity key
 * (`example.amocrm.ru:leads:42`): in process by default, and across processes with
 * {@link EntityLock.layerRedis}.
 *
 * - Keys name the account (its host, `<subdomain>.<domain>`), so two accounts never wait for each
 *   other, and Kommo's v2 and v4 updates of one lead share a key.
 * - Several keys are taken in sorted order, so two batches that share entities cannot deadlock.
 * - The lock is re-entrant: an effect that holds a key (and the fibers it forks) takes it again
 *   without waiting, so `withEntity("leads", id)(Updates.updateLead({ id, … }))` works.
 * - Waiting is interruptible and bounded by the Redis lock's `timeout`; a Redis lock held by a long
 *   update (retries, `Retry-After`, rate-limit waits) is kept alive by a heartbeat until released.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer, Option, Schedule, Schema, Scope, Semaphore } from "effect"
import { Redis } from "effect/persistence"
import { type Client as CoreClient, Vendor } from "@vendor-sdk/core"
import { Client, vendor } from "./generated/vendor.ts"

/** The lock could not be taken in time, or its store failed. */
export class LockError extends Schema.TaggedError<LockError>()("LockError", {
  keys: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/** A key is held by someone else right now (the Redis lock polls again on this). */
export class LockBusy extends Schema.TaggedError<LockBusy>()("LockBusy", {
  key: Schema.String
}) {}

/** Runs effects while holding the locks of entity keys. */
export interface Lock {
  readonly withLock: (keys: ReadonlyArray<string>) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LockError, R>
}

/**
 * The key of one entity: `<account>:<entity type>:<id>`, or `<entity type>:<id>` without an account.
 */
export const key = (entityType: string, id: number | string, account?: string | undefined): string =>
  account === undefined || account === "" ? `${entityType}:${id}` : `${account}:${entityType}:${id}`

/**
 * The account part of lock keys for a client's endpoint: the host of the vendor server with the
 * endpoint's variables (`acme.amocrm.ru`, `acme.kommo.com`). amoCRM v4 and Kommo v2 name one account
 * alike, whatever `baseUrl` the requests are sent to.
 */
export const accountOf = (forVendor: Vendor.Vendor, endpoint: CoreClient.Endpoint): string => {
  const url = Vendor.serverUrl(forVendor.server, endpoint.variables)
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The account of the amoCRM client in context, if any. */
const currentAccount: Effect.Effect<string | undefined> = Effect.map(
  Effect.serviceOption(Client),
  (client) => Option.isSome(client) ? accountOf(vendor, client.value.endpoint) : undefined
)

const ordered = (keys: ReadonlyArray<string>) => [...new Set(keys)].sort()

/** The keys each lock instance holds for the running effect and the fibers it forks. */
class Held extends Context.Reference<ReadonlyMap<Lock, ReadonlySet<string>>>("@vendor-sdk/amocrm/EntityLock/Held", {
  defaultValue: () => new Map()
}) {}

/**
 * A lock from the function that takes keys it does not hold yet (sorted, distinct). Keys the running
 * effect already holds through this lock are not taken again: the lock is re-entrant.
 */
export const reentrant = (
  take: (keys: ReadonlyArray<string>) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LockError, R>
): Lock => {
  const self: Lock = {
    withLock: (keys) => (effect) =>
      Effect.flatMap(Held, (held) => {
        const mine = held.get(self) ?? new Set<string>()
        const wanted = ordered(keys).filter((name) => !mine.has(name))
        if (wanted.length === 0) return effect
        const holding = new Map(held).set(self, new Set([...mine, ...wanted]))
        return take(wanted)(Effect.provideService(effect, Held, holding))
      })
  }
  return self
}

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
  return reentrant((keys) => (effect) => keys.reduceRight((inner, name) => one(name, inner), effect))
}

/** Options of the Redis lock. */
export interface RedisOptions {
  readonly prefix?: string | undefined
  /**
   * How long a taken lock lives if its holder dies; 30 seconds by default. While the holder lives, a
   * heartbeat extends it every third of this, until it is released.
   */
  readonly ttl?: Duration.Input | undefined
  /** How often a waiter tries again; 50 ms by default. */
  readonly retryEvery?: Duration.Input | undefined
  /** How long a waiter waits before failing with `LockError`; 60 seconds by default. */
  readonly timeout?: Duration.Input | undefined
}

// Deletes the key only while it still holds our token, so an expired lock taken over by another
// process is never released by us.
const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`
// Extends the key only while it still holds our token.
const extendScript =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`

/**
 * A lock in Redis (`SET NX PX` with a token, compare-and-delete on release), shared by processes.
 *
 * Only each `SET` is uninterruptible (so a lock that was set is always released); waiting for a busy
 * key is interruptible and ends with `LockError` after `timeout`. While the lock is held, a heartbeat
 * fiber extends its TTL every `ttl / 3` (compare-and-`PEXPIRE`), and stops when the lock is released.
 */
export const makeRedis = (redis: Redis.Redis["Service"], options: RedisOptions = {}): Lock => {
  const prefix = options.prefix ?? "vendor-sdk:amocrm:lock:"
  const ttlMillis = Math.max(3, Math.round(Duration.toMillis(Duration.fromInputUnsafe(options.ttl ?? "30 seconds"))))
  const ttl = String(ttlMillis)
  const beat = Duration.millis(Math.floor(ttlMillis / 3))
  const every = Duration.fromInputUnsafe(options.retryEvery ?? "50 millis")
  const timeout = Duration.fromInputUnsafe(options.timeout ?? "60 seconds")
  const storeError = (keys: ReadonlyArray<string>) => (error: Redis.RedisError) =>
    new LockError({ keys, message: `Redis refused the lock: ${error.message}` })

  const release = (name: string, token: string) =>
    Effect.ignore(redis.send("EVAL", releaseScript, "1", prefix + name, token))

  /** One attempt: the SET and, when it took the key, the release registered in `scope`, together. */
  const attempt = (scope: Scope.Scope, name: string, token: string) =>
    Effect.uninterruptible(
      redis.send<string | null>("SET", prefix + name, token, "NX", "PX", ttl).pipe(
        Effect.mapError(storeError([name])),
        Effect.flatMap((answer) =>
          answer === "OK" ? Scope.addFinalizer(scope, release(name, token)) : Effect.fail(new LockBusy({ key: name }))
        )
      )
    )

  const waitFor = (scope: Scope.Scope, name: string, token: string) =>
    attempt(scope, name, token).pipe(
      Effect.retry({ schedule: Schedule.spaced(every), while: (error) => error._tag === "LockBusy" }),
      Effect.catchTag("LockBusy", (busy) => Effect.fail(new LockError({ keys: [busy.key], message: `Lock ${busy.key} is busy` })))
    )

  const extend = (name: string, token: string) =>
    redis.send<number>("EVAL", extendScript, "1", prefix + name, token, ttl).pipe(
      Effect.flatMap((extended) =>
        Number(extended) === 1 ? Effect.void : Effect.logWarning(`Lock ${name} expired while held; it is no longer extended`)
      ),
      Effect.catch((error) => Effect.logWarning(`Lock ${name} not extended: ${error.message}`))
    )

  const heartbeat = (keys: ReadonlyArray<string>, token: string) =>
    Effect.sleep(beat).pipe(
      Effect.andThen(Effect.forEach(keys, (name) => extend(name, token), { discard: true })),
      Effect.forever
    )

  return reentrant((keys) => (effect) =>
    Effect.acquireUseRelease(
      Scope.make(),
      (scope) =>
        Effect.gen(function*() {
          const token = crypto.randomUUID()
          yield* Effect.forEach(keys, (name) => waitFor(scope, name, token), { discard: true }).pipe(
            Effect.timeoutOrElse({
              duration: timeout,
              orElse: () => Effect.fail(new LockError({ keys, message: `Locks ${keys.join(", ")} not acquired within ${Duration.format(timeout)}` }))
            })
          )
          yield* Effect.forkIn(heartbeat(keys, token), scope)
          return yield* effect
        }),
      (scope, exit) => Scope.close(scope, exit)
    )
  )
}

/** The lock used by this package's update helpers. In process memory unless a layer replaces it. */
export class EntityLock extends Context.Reference<Lock>("@vendor-sdk/amocrm/EntityLock", {
  defaultValue: makeMemory
}) {
  /** A fresh in-process lock table. */
  static readonly layerMemory: Layer.Layer<never> = Layer.sync(EntityLock, makeMemory)
  /**
   * Locks in Redis, so updates of one entity are serialised across processes. Merge it into the
   * program's context (beside the account layer): the update helpers read it where they run.
   */
  static readonly layerRedis = (options: RedisOptions = {}): Layer.Layer<never, never, Redis.Redis> =>
    Layer.effect(EntityLock, Effect.map(Redis.Redis, (redis) => makeRedis(redis, options)))
}

/** Where a lock key's account comes from. */
export interface KeyOptions {
  /**
   * The account part of the keys. By default the host of the amoCRM client in context
   * (`example.amocrm.ru`); none outside an account layer.
   */
  readonly account?: string | undefined
}

/** Runs `effect` holding the lock of one entity of the current account. */
export const withEntity = (entityType: string, id: number | string, options: KeyOptions = {}) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | LockError, R> =>
  withEntities(entityType, [id], options)(effect)

/** Runs `effect` holding the locks of several entities of the current account. */
export const withEntities = (entityType: string, ids: ReadonlyArray<number | string>, options: KeyOptions = {}) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | LockError, R> =>
  Effect.flatMap(
    options.account === undefined ? currentAccount : Effect.succeed(options.account),
    (account) =>
      Effect.flatMap(EntityLock, (lock) => lock.withLock(ids.map((id) => key(entityType, id, account)))(effect))
  )

/** `EntityLock.layerMemory`, at module level. */
export const layerMemory = EntityLock.layerMemory
/** `EntityLock.layerRedis`, at module level: `AmoCRM.EntityLock.layerRedis()`. */
export const layerRedis = EntityLock.layerRedis
