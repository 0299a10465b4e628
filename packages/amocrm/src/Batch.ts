/**
 * Batch writes of any size ("save with limit").
 *
 * amoCRM takes at most 500 entities per request and recommends 250, so the helpers here split any
 * number of entities into requests of {@link defaultSize} (configurable up to {@link maxSize}) with
 * core's `Batch.run`. Every item is sent with its position in its request as `request_id` (a
 * `request_id` of the caller's is replaced on the wire, and put back on the item's result), and
 * results are matched back by it: they come back in input order whatever order amoCRM answers in.
 * When a request fails, core's `BatchError` names every entity it carried, with the error, and keeps
 * the results of the requests that succeeded.
 *
 * Updates take the entity lock ({@link EntityLock}) of every id they carry.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Batch as CoreBatch, type Errors, type Operation } from "@vendor-sdk/core"
import * as EntityLock from "./EntityLock.ts"
import { createCatalogElements as createCatalogElementsOp, updateCatalogElements as updateCatalogElementsOp } from "./generated/CatalogElements.ts"
import { createCompanies as createCompaniesOp, updateCompanies as updateCompaniesOp } from "./generated/Companies.ts"
import { createContacts as createContactsOp, updateContacts as updateContactsOp } from "./generated/Contacts.ts"
import { createCustomers as createCustomersOp, updateCustomers as updateCustomersOp } from "./generated/Customers.ts"
import { createLeads as createLeadsOp, createLeadsComplex as createLeadsComplexOp, updateLeads as updateLeadsOp } from "./generated/Leads.ts"
import { createNotes as createNotesOp, updateNotes as updateNotesOp } from "./generated/Notes.ts"
import type * as S from "./generated/schemas.ts"
import { createTasks as createTasksOp, updateTasks as updateTasksOp } from "./generated/Tasks.ts"
import { Client, type DeclaredError } from "./generated/vendor.ts"

/** Entities per request unless told otherwise: the vendor's recommendation. */
export const defaultSize = 250
/** The most entities amoCRM accepts in one request. */
export const maxSize = 500

/** The batch size was not an integer from 1 to {@link maxSize}. */
export class InvalidBatchSize extends Schema.TaggedError<InvalidBatchSize>()("InvalidBatchSize", {
  size: Schema.Number,
  message: Schema.String
}) {}

/** Options of every batch helper. */
export interface Options {
  /** Entities per request, 1–500; 250 by default. */
  readonly size?: number | undefined
  /** Requests in flight at once; 1 by default, as the 7 requests/s budget and entity locks prefer. */
  readonly concurrency?: number | undefined
}

/** What a failed batch write fails with. */
export type Failure<I, A> =
  | CoreBatch.BatchError<I, A, Errors.VendorError | DeclaredError | EntityLock.LockError | CoreBatch.BatchMismatch>
  | InvalidBatchSize

const checkSize = (size: number) =>
  Number.isInteger(size) && size >= 1 && size <= maxSize
    ? Effect.succeed(size)
    : Effect.fail(new InvalidBatchSize({ size, message: `A batch holds 1 to ${maxSize} entities, not ${size}` }))

/**
 * Writes `items` in chunks with `write`, which must answer one result per item of its chunk, in the
 * chunk's order. The building block of the helpers below, for any other batch operation.
 */
export const run = <I, A, E, R>(
  items: ReadonlyArray<I>,
  write: (chunk: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<A>, E, R>,
  options: Options = {}
): Effect.Effect<Array<A>, CoreBatch.BatchError<I, A, E | CoreBatch.BatchMismatch> | InvalidBatchSize, R> =>
  Effect.flatMap(checkSize(options.size ?? defaultSize), (size) =>
    CoreBatch.run({ items, size, write, concurrency: options.concurrency }))

interface Correlated {
  readonly request_id?: string | undefined
}

/** The chunk as sent: each item's `request_id` is its position in the chunk. */
const positional = <I extends Correlated>(chunk: ReadonlyArray<I>): Array<I> =>
  chunk.map((item, i) => ({ ...item, request_id: String(i) }))

/**
 * Results matched to the chunk's items by their positional request id (`idOf`), with the caller's
 * own `request_id` put back (`restore`). An answer that carries no request id at all is taken in
 * order; one that misses or repeats an id comes back short, which core reports as `BatchMismatch`
 * for every item of the chunk.
 */
const correlate = <I extends Correlated, A>(
  chunk: ReadonlyArray<I>,
  results: ReadonlyArray<A>,
  idOf: (result: A) => string | undefined,
  restore: (result: A, item: I) => A
): ReadonlyArray<A> => {
  if (results.every((result) => idOf(result) === undefined)) {
    return results.length === chunk.length ? results.map((result, i) => restore(result, chunk[i]!)) : results
  }
  const byId = new Map<string, A>()
  for (const result of results) {
    const id = idOf(result)
    if (id === undefined || byId.has(id)) return []
    byId.set(id, result)
  }
  const ordered: Array<A> = []
  for (const [i, item] of chunk.entries()) {
    const found = byId.get(String(i))
    if (found === undefined) return ordered
    ordered.push(restore(found, item))
  }
  return ordered
}

const requestIdOf = (result: Correlated) => result.request_id
const restoreRequestId = <A extends Correlated>(result: A, item: Correlated): A =>
  item.request_id === undefined ? result : { ...result, request_id: item.request_id }

const mutate = <I extends Correlated, P, A, B extends Correlated>(
  op: Operation.Operation<P, A, DeclaredError>,
  results: (answer: A) => ReadonlyArray<B> | undefined,
  params: (chunk: ReadonlyArray<I>) => P,
  lock?: { readonly entityType: string; readonly id: (item: I) => number | undefined } | undefined
) =>
(items: ReadonlyArray<I>, options?: Options) =>
  Effect.flatMap(Client, (client) =>
    run(
      items,
      (chunk) => {
        const send = Effect.map(
          client.execute(op, params(positional(chunk))),
          (answer) => correlate(chunk, results(answer) ?? [], requestIdOf, restoreRequestId)
        )
        return lock === undefined
          ? send
          : EntityLock.withEntities(lock.entityType, chunk.flatMap((item) => lock.id(item) ?? []))(send)
      },
      options
    ))

const byId = (item: { readonly id?: number | undefined }) => item.id

/** Creates leads, 250 per request by default. */
export const createLeads = mutate(createLeadsOp, (answer) => answer._embedded?.leads, (body: ReadonlyArray<S.LeadInput>) => ({ body }))
/** Updates leads under their entity locks. */
export const updateLeads = mutate(updateLeadsOp, (answer) => answer._embedded?.leads, (body: ReadonlyArray<S.LeadUpdateItem>) => ({ body }), { entityType: "leads", id: byId })
/** Creates contacts. */
export const createContacts = mutate(createContactsOp, (answer) => answer._embedded?.contacts, (body: ReadonlyArray<S.ContactInput>) => ({ body }))
/** Updates contacts under their entity locks. */
export const updateContacts = mutate(updateContactsOp, (answer) => answer._embedded?.contacts, (body: ReadonlyArray<S.ContactUpdateItem>) => ({ body }), { entityType: "contacts", id: byId })
/** Creates companies. */
export const createCompanies = mutate(createCompaniesOp, (answer) => answer._embedded?.companies, (body: ReadonlyArray<S.CompanyInput>) => ({ body }))
/** Updates companies under their entity locks. */
export const updateCompanies = mutate(updateCompaniesOp, (answer) => answer._embedded?.companies, (body: ReadonlyArray<S.CompanyUpdateItem>) => ({ body }), { entityType: "companies", id: byId })
/** Creates tasks. */
export const createTasks = mutate(createTasksOp, (answer) => answer._embedded?.tasks, (body: ReadonlyArray<S.TaskInput>) => ({ body }))
/** Updates tasks under their entity locks. */
export const updateTasks = mutate(updateTasksOp, (answer) => answer._embedded?.tasks, (body: ReadonlyArray<S.TaskUpdateItem>) => ({ body }), { entityType: "tasks", id: byId })
/** Creates customers. */
export const createCustomers = mutate(createCustomersOp, (answer) => answer._embedded?.customers, (body: ReadonlyArray<S.CustomerInput>) => ({ body }))
/** Updates customers under their entity locks. */
export const updateCustomers = mutate(updateCustomersOp, (answer) => answer._embedded?.customers, (body: ReadonlyArray<S.CustomerUpdateItem>) => ({ body }), { entityType: "customers", id: byId })

/** Creates notes on entities of one type. */
export const createNotes = (entityType: S.MainEntityType) =>
  mutate(createNotesOp, (answer) => answer._embedded?.notes, (body: ReadonlyArray<S.NoteInput>) => ({ entity_type: entityType, body }))
/** Updates notes of one entity type under their entity locks. */
export const updateNotes = (entityType: S.MainEntityType) =>
  mutate(updateNotesOp, (answer) => answer._embedded?.notes, (body: ReadonlyArray<S.NoteInput>) => ({ entity_type: entityType, body }), {
    entityType: `${entityType}/notes`,
    id: (note) => note.id
  })

/** Creates elements of one catalog. */
export const createCatalogElements = (catalogId: number) =>
  mutate(createCatalogElementsOp, (answer) => answer._embedded?.elements, (body: ReadonlyArray<S.CatalogElementInput>) => ({ catalog_id: catalogId, body }))
/** Updates elements of one catalog under their entity locks. */
export const updateCatalogElements = (catalogId: number) =>
  mutate(updateCatalogElementsOp, (answer) => answer._embedded?.elements, (body: ReadonlyArray<S.CatalogElementUpdateItem>) => ({ catalog_id: catalogId, body }), {
    entityType: `catalogs/${catalogId}/elements`,
    id: byId
  })

/**
 * Creates leads together with their contact and company (`/api/v4/leads/complex`), in chunks. The
 * answer is a bare array, one result per lead, matched back by the first of its request ids.
 */
export const createLeadsComplex = (items: ReadonlyArray<S.LeadComplexInput>, options?: Options) =>
  Effect.flatMap(Client, (client) =>
    run(
      items,
      (chunk) =>
        Effect.map(
          client.execute(createLeadsComplexOp, { body: positional(chunk) }),
          (answer) => correlate(chunk, answer, (result) => result.request_id?.[0], (result) => result)
        ),
      options
    ))
