/**
 * Batch writes of any size ("save with limit").
 *
 * amoCRM takes at most 500 entities per request and recommends 250, so the helpers here split any
 * number of entities into requests of {@link defaultSize} (configurable up to {@link maxSize}) with
 * core's `Batch.run`. Each item gets a `request_id` (its position in its request, unless it has one),
 * and results are matched back by it: they come back in input order whatever order amoCRM answers
 * in. When a request fails, core's `BatchError` names every entity it carried, with the error, and
 * keeps the results of the requests that succeeded.
 *
 * Updates take the entity lock ({@link EntityLock}) of every id they carry.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Batch as CoreBatch, type Errors, type Operation } from "@vendor-sdk/core"
import * as EntityLock from "./EntityLock.ts"
import { updateCatalogElements as updateCatalogElementsOp, createCatalogElements as createCatalogElementsOp } from "./generated/CatalogElements.ts"
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
): Effect.Effect<Array<A>, CoreBatch.BatchError<I, A, E> | InvalidBatchSize, R> =>
  Effect.flatMap(checkSize(options.size ?? defaultSize), (size) =>
    CoreBatch.run({ items, size, write, concurrency: options.concurrency }))

interface Correlated {
  readonly request_id?: string | undefined
}

/** Results matched to items by `request_id`; a missing one leaves the chunk short, which core reports. */
const correlate = <I extends Correlated, A extends Correlated>(
  chunk: ReadonlyArray<I>,
  results: ReadonlyArray<A>
): ReadonlyArray<A> => {
  const byId = new Map(results.flatMap((result) => result.request_id === undefined ? [] : [[result.request_id, result] as const]))
  if (byId.size === 0) return results
  const ordered: Array<A> = []
  chunk.forEach((item, i) => {
    const found = byId.get(item.request_id ?? String(i))
    if (found !== undefined) ordered.push(found)
  })
  return ordered
}

const tagged = <I extends Correlated>(chunk: ReadonlyArray<I>): Array<I> =>
  chunk.map((item, i) => item.request_id === undefined ? { ...item, request_id: String(i) } : item)

const mutate = <I extends Correlated>(
  op: Operation.Operation<any, any, DeclaredError, any>,
  embedded: string,
  params: (chunk: ReadonlyArray<I>) => Record<string, unknown>,
  lock?: { readonly entityType: string; readonly id: (item: I) => number | undefined } | undefined
) =>
(items: ReadonlyArray<I>, options?: Options) =>
  Effect.flatMap(Client, (client) =>
    run(
      items,
      (chunk) => {
        const body = tagged(chunk)
        const send = Effect.map(
          client.execute(op, params(body)),
          (answer) => correlate(body, ((answer as any)?._embedded?.[embedded] ?? []) as ReadonlyArray<S.MutatedEntity>)
        )
        return lock === undefined
          ? send
          : EntityLock.withEntities(lock.entityType, chunk.flatMap((item) => lock.id(item) ?? []))(send)
      },
      options
    ))

const byId = (item: { readonly id?: number | undefined }) => item.id

/** Creates leads, 250 per request by default. */
export const createLeads = mutate<S.LeadInput>(createLeadsOp, "leads", (body) => ({ body }))
/** Updates leads under their entity locks. */
export const updateLeads = mutate<S.LeadUpdateItem>(updateLeadsOp, "leads", (body) => ({ body }), { entityType: "leads", id: byId })
/** Creates contacts. */
export const createContacts = mutate<S.ContactInput>(createContactsOp, "contacts", (body) => ({ body }))
/** Updates contacts under their entity locks. */
export const updateContacts = mutate<S.ContactUpdateItem>(updateContactsOp, "contacts", (body) => ({ body }), { entityType: "contacts", id: byId })
/** Creates companies. */
export const createCompanies = mutate<S.CompanyInput>(createCompaniesOp, "companies", (body) => ({ body }))
/** Updates companies under their entity locks. */
export const updateCompanies = mutate<S.CompanyUpdateItem>(updateCompaniesOp, "companies", (body) => ({ body }), { entityType: "companies", id: byId })
/** Creates tasks. */
export const createTasks = mutate<S.TaskInput>(createTasksOp, "tasks", (body) => ({ body }))
/** Updates tasks under their entity locks. */
export const updateTasks = mutate<S.TaskUpdateItem>(updateTasksOp, "tasks", (body) => ({ body }), { entityType: "tasks", id: byId })
/** Creates customers. */
export const createCustomers = mutate<S.CustomerInput>(createCustomersOp, "customers", (body) => ({ body }))
/** Updates customers under their entity locks. */
export const updateCustomers = mutate<S.CustomerUpdateItem>(updateCustomersOp, "customers", (body) => ({ body }), { entityType: "customers", id: byId })

/** Creates notes on entities of one type. */
export const createNotes = (entityType: S.MainEntityType) =>
  mutate<S.NoteInput>(createNotesOp, "notes", (body) => ({ entity_type: entityType, body }))
/** Updates notes of one entity type under their entity locks. */
export const updateNotes = (entityType: S.MainEntityType) =>
  mutate<S.NoteInput>(updateNotesOp, "notes", (body) => ({ entity_type: entityType, body }), {
    entityType: `${entityType}/notes`,
    id: (note) => note.id
  })

/** Creates elements of one catalog. */
export const createCatalogElements = (catalogId: number) =>
  mutate<S.CatalogElementInput>(createCatalogElementsOp, "elements", (body) => ({ catalog_id: catalogId, body }))
/** Updates elements of one catalog under their entity locks. */
export const updateCatalogElements = (catalogId: number) =>
  mutate<S.CatalogElementUpdateItem>(updateCatalogElementsOp, "elements", (body) => ({ catalog_id: catalogId, body }), {
    entityType: `catalogs/${catalogId}/elements`,
    id: byId
  })

/**
 * Creates leads together with their contact and company (`/api/v4/leads/complex`), in chunks. The
 * answer is a bare array in request order, one result per lead.
 */
export const createLeadsComplex = (items: ReadonlyArray<S.LeadComplexInput>, options?: Options) =>
  Effect.flatMap(Client, (client) =>
    run(items, (chunk) => client.execute(createLeadsComplexOp, { body: chunk }), options))
