/**
 * v2 batch saves with a limit (the wrapper's `saveObjectsWithLimit`): any number of entities, sent
 * as `{"add": [...]}` and `{"update": [...]}` requests of at most 250 (configurable up to 500), with
 * results in input order.
 *
 * - Every item is sent with its position in its request as `request_id`; an added item's result is
 *   matched back by it, an updated item's by its `id`.
 * - v2 answers HTTP 200 even when it refuses some items, and saves the others. Each item is judged
 *   on its own: one v2 saved is a result, one it refused (`_embedded.errors.add|update`) fails with
 *   {@link ItemRejected}, and one its answer does not mention fails with {@link ItemUnconfirmed}. Any
 *   failure makes the call fail with core's `BatchError`, whose `failed` lists exactly the items not
 *   (known to be) written and whose `succeeded` keeps the results of all the others, so a retry can
 *   resend only the failed ones.
 * - Updates take the entity lock of every id they carry (the same keys as `Kommo.V4` updates of
 *   those entities) and, like the wrapper, stamp `updated_at` when it is missing, since v2 refuses an
 *   update not newer than the stored one: the time is read once the locks are held, and the stamps of
 *   one entity strictly increase (now + 5 s, or one more than the last stamp the account's client
 *   sent). Another process does not see those stamps: it can be refused for an update of the same
 *   entity within the same few seconds.
 *
 * @since 0.1.0
 */
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Clock, Effect, Result, Schema } from "effect"
import { Batch as CoreBatch, type Errors, type Operation } from "@vendor-sdk/core"
import { saveCompanies } from "./generated/Companies.ts"
import { saveContacts } from "./generated/Contacts.ts"
import { saveLeads } from "./generated/Leads.ts"
import { saveNotes } from "./generated/Notes.ts"
import type * as S from "./generated/schemas.ts"
import { saveTasks } from "./generated/Tasks.ts"
import { Client, type DeclaredError, vendor } from "./generated/vendor.ts"

/** v2 saved the request but refused this item (`_embedded.errors`, HTTP 200). */
export class ItemRejected extends Schema.TaggedError<ItemRejected>()("ItemRejected", {
  action: Schema.Literals(["add", "update"]),
  /** v2's error code, e.g. 213 (not found) or 217 (older than in the database), when it sent one. */
  code: Schema.optional(Schema.Number),
  message: Schema.String,
  /** The error as v2 sent it. */
  detail: Schema.optional(Schema.Unknown)
}) {}

/**
 * v2 answered the request without saying what became of this item: neither a result nor an error
 * names it, so it may or may not have been written.
 */
export class ItemUnconfirmed extends Schema.TaggedError<ItemUnconfirmed>()("ItemUnconfirmed", {
  action: Schema.Literals(["add", "update"]),
  message: Schema.String,
  /** Errors of the request that could not be matched to an item. */
  detail: Schema.optional(Schema.Unknown)
}) {}

/** Why one item was not (known to be) written. */
export type ItemError =
  | ItemRejected
  | ItemUnconfirmed
  | Errors.VendorError
  | DeclaredError
  | AmoCRM.EntityLock.LockError
  | CoreBatch.BatchMismatch

/** What a failed batch save fails with. */
export type Failure<W> = CoreBatch.BatchError<W, S.SavedItem, ItemError> | AmoCRM.Batch.InvalidBatchSize

/** What an item of a save may carry. */
interface Writable {
  readonly id?: number | string | undefined
  readonly updated_at?: number | string | undefined
  readonly request_id?: number | string | undefined
  readonly element_type?: number | string | undefined
}

type Save<W> = Operation.Operation<
  { readonly body: { readonly add?: ReadonlyArray<W>; readonly update?: ReadonlyArray<W> } },
  S.SaveResult,
  DeclaredError
>

type Action = "add" | "update"

const numeric = (value: unknown): number | undefined =>
  typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : undefined

const messageOf = (error: unknown): string => {
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const { message, msg } = error as { readonly message?: unknown; readonly msg?: unknown }
    if (typeof message === "string") return message
    if (typeof msg === "string") return msg
  }
  return "refused"
}

const rejected = (action: Action, error: unknown) =>
  new ItemRejected({
    action,
    code: typeof error === "object" && error !== null ? numeric((error as { readonly code?: unknown }).code) : undefined,
    message: `Kommo refused the item: ${messageOf(error)}`,
    detail: error
  })

/**
 * One outcome per item of the chunk, in order. The chunk was sent with positional `request_id`s; an
 * added item is found by its `request_id`, an updated one by its `id` (or its `request_id` when v2
 * echoes it). v2's errors are keyed by request id or record id, or listed. A result carries the
 * caller's own `request_id` back, when the item had one.
 */
const outcomes = <W extends Writable>(
  action: Action,
  sent: ReadonlyArray<W>,
  answer: S.SaveResult
): Array<Result.Result<S.SavedItem, ItemRejected | ItemUnconfirmed>> => {
  const items = answer._embedded?.items ?? []
  const errors = answer._embedded?.errors?.[action]
  const keyed = errors !== undefined && !Array.isArray(errors) ? errors as Readonly<Record<string, unknown>> : {}
  const listed: Array<unknown> = Array.isArray(errors) ? [...errors] : []
  const claimed = new Set<unknown>()
  const usedKeys = new Set<string>()
  const byRequestId = new Map(items.flatMap((item) => item.request_id === undefined ? [] : [[String(item.request_id), item] as const]))
  const byId = new Map(items.flatMap((item) => item.id === undefined ? [] : [[String(item.id), item] as const]))
  // An answer with as many items as sent, none of them identified, can only be read in order.
  const inOrder = errors === undefined && byRequestId.size === 0 && action === "add" && items.length === sent.length

  const found = sent.map((item, i) => {
    const requestId = String(i)
    const id = item.id === undefined ? undefined : String(item.id)
    const saved = inOrder
      ? items[i]
      : byRequestId.get(requestId) ?? (action === "update" && id !== undefined ? byId.get(id) : undefined)
    if (saved !== undefined) return { saved }
    const key = [requestId, ...(action === "update" && id !== undefined ? [id] : [])].find((k) => Object.hasOwn(keyed, k))
    if (key !== undefined) {
      usedKeys.add(key)
      return { error: keyed[key] }
    }
    const entry = listed.find((error) => {
      if (typeof error !== "object" || error === null || claimed.has(error)) return false
      const named = error as { readonly request_id?: unknown; readonly id?: unknown }
      return (named.request_id !== undefined && String(named.request_id) === requestId) ||
        (action === "update" && id !== undefined && named.id !== undefined && String(named.id) === id)
    })
    if (entry !== undefined) {
      claimed.add(entry)
      return { error: entry }
    }
    return {}
  })
  // Errors no item could be matched to: with them, an item missing from the answer was refused
  // for some unknown reason rather than simply left out.
  const unattributed = [
    ...listed.filter((error) => !claimed.has(error)),
    ...Object.entries(keyed).filter(([key]) => !usedKeys.has(key)).map(([key, error]) => ({ key, error }))
  ]
  return found.map((outcome, i) =>
    outcome.saved !== undefined
      ? Result.succeed(
        sent[i]!.request_id === undefined ? outcome.saved : { ...outcome.saved, request_id: sent[i]!.request_id }
      )
      : "error" in outcome
      ? Result.fail(rejected(action, outcome.error))
      : Result.fail(
        new ItemUnconfirmed({
          action,
          message: unattributed.length === 0
            ? "Kommo's answer neither lists nor refuses the item; it may have been written"
            : "Kommo refused items of this request without saying which; this one is not among those it saved",
          ...(unattributed.length === 0 ? {} : { detail: unattributed })
        })
      )
  )
}

/**
 * Runs the chunks and turns per-item outcomes into one result: every item is either in `succeeded`
 * (by input position) or in `failed` with its own error, whether its whole request failed or only it.
 */
const settle = <W, E, R>(
  items: ReadonlyArray<W>,
  run: Effect.Effect<
    ReadonlyArray<Result.Result<S.SavedItem, ItemRejected | ItemUnconfirmed>>,
    CoreBatch.BatchError<W, Result.Result<S.SavedItem, ItemRejected | ItemUnconfirmed>, E> | AmoCRM.Batch.InvalidBatchSize,
    R
  >
): Effect.Effect<
  Array<S.SavedItem>,
  CoreBatch.BatchError<W, S.SavedItem, E | ItemRejected | ItemUnconfirmed> | AmoCRM.Batch.InvalidBatchSize,
  R
> =>
  Effect.flatMap(
    Effect.catchTag(
      Effect.map(run, (results) => ({ failed: [], succeeded: results.map((result, index) => ({ index, result })) })),
      "BatchError",
      (error) => Effect.succeed({ failed: error.failed, succeeded: error.succeeded })
    ),
    ({ failed, succeeded }) => {
      const failures: Array<CoreBatch.Failed<W, E | ItemRejected | ItemUnconfirmed>> = [...failed]
      const written: Array<{ readonly index: number; readonly result: S.SavedItem }> = []
      for (const { index, result } of succeeded) {
        if (Result.isSuccess(result)) written.push({ index, result: result.success })
        else failures.push({ index, item: items[index]!, error: result.failure })
      }
      if (failures.length === 0) return Effect.succeed(written.map((entry) => entry.result))
      failures.sort((a, b) => a.index - b.index)
      return Effect.fail(new CoreBatch.BatchError({ failed: failures, succeeded: written }))
    }
  )

/** The chunk as sent: each item's `request_id` is its position in the chunk. */
const positional = <W extends Writable>(chunk: ReadonlyArray<W>): Array<W> => chunk.map((item, i) => ({ ...item, request_id: i }))

/**
 * The last `updated_at` each client (one account layer) sent per entity lock key, for the entities it
 * updated in the last seconds.
 */
const sent = new WeakMap<object, Map<string, number>>()

/** `updated_at` for an update of `key` sent now: ahead of the clock, and after any earlier stamp of it. */
const stamp = (client: object, key: string, now: number, given: number | undefined): number => {
  let stamps = sent.get(client)
  if (stamps === undefined) sent.set(client, stamps = new Map())
  const ahead = Math.floor(now / 1000) + 5
  for (const [name, last] of stamps) if (last < ahead) stamps.delete(name)
  const next = given ?? Math.max(ahead, (stamps.get(key) ?? 0) + 1)
  stamps.set(key, Math.max(next, stamps.get(key) ?? 0))
  return next
}

/** Entity types as v2's `element_type` codes name them (a note's parent). */
const elementTypes: Readonly<Record<string, string>> = { 1: "contacts", 2: "leads", 3: "companies", 12: "customers" }

const saver = <W extends Writable>(op: Save<W>, entityType: (item: W) => string) => {
  const send = (action: Action, chunk: ReadonlyArray<W>) =>
    Effect.flatMap(Client, (client) =>
      Effect.map(client.execute(op, { body: { [action]: positional(chunk) } }), (answer) => outcomes(action, chunk, answer)))
  return {
    /** Adds entities, in requests of at most `size`. */
    add: (items: ReadonlyArray<W>, options?: AmoCRM.Batch.Options): Effect.Effect<Array<S.SavedItem>, Failure<W>, Client> =>
      settle(items, AmoCRM.Batch.run(items, (chunk) => send("add", chunk), options)),
    /** Updates entities under their locks, stamping `updated_at` when it is missing. */
    update: (items: ReadonlyArray<W>, options?: AmoCRM.Batch.Options): Effect.Effect<Array<S.SavedItem>, Failure<W>, Client> =>
      settle(
        items,
        AmoCRM.Batch.run(
          items,
          (chunk) =>
            Effect.flatMap(Client, (client) => {
              const account = AmoCRM.EntityLock.accountOf(vendor, client.endpoint)
              const keyOf = (item: W) => item.id === undefined ? undefined : AmoCRM.EntityLock.key(entityType(item), item.id, account)
              return Effect.flatMap(AmoCRM.EntityLock.EntityLock, (lock) =>
                lock.withLock(chunk.flatMap((item) => keyOf(item) ?? []))(
                  // Read the clock once the locks are held: an update that waited stamps the time it is sent.
                  Effect.flatMap(Clock.currentTimeMillis, (now) =>
                    send(
                      "update",
                      chunk.map((item) => {
                        const key = keyOf(item)
                        const given = numeric(item.updated_at)
                        return key === undefined ? item : { ...item, updated_at: stamp(client, key, now, given) }
                      })
                    ))
                ))
            }),
          options
        )
      )
  }
}

const fixed = (entityType: string) => () => entityType

/** Leads: `add` and `update` with a limit. */
export const leads = saver<S.LeadWrite>(saveLeads, fixed("leads"))
/** Contacts. */
export const contacts = saver<S.ContactWrite>(saveContacts, fixed("contacts"))
/** Companies. */
export const companies = saver<S.CompanyWrite>(saveCompanies, fixed("companies"))
/** Tasks. */
export const tasks = saver<S.TaskWrite>(saveTasks, fixed("tasks"))
/** Notes (locked per parent entity type, as `Kommo.V4`'s note updates are). */
export const notes = saver<S.NoteWrite>(saveNotes, (note) => {
  const parent = note.element_type === undefined ? undefined : elementTypes[String(note.element_type)]
  return parent === undefined ? "notes" : `${parent}/notes`
})
