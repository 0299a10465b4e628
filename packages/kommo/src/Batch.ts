/**
 * v2 batch saves with a limit (the wrapper's `saveObjectsWithLimit`): any number of entities, sent
 * as `{"add": [...]}` and `{"update": [...]}` requests of at most 250 (configurable up to 500), in
 * input order. Updates take the entity lock of every id they carry and, like the wrapper, stamp
 * `updated_at` (now + 5 s) when it is missing, since v2 refuses an update not newer than the stored one.
 *
 * v2 answers HTTP 200 even when items fail; such items are reported in `_embedded.errors`, and a
 * request with any is a failure of the whole chunk here, so nothing is dropped silently.
 *
 * @since 0.1.0
 */
import { AmoCRM } from "@vendor-sdk/amocrm"
import { Clock, Effect, Schema } from "effect"
import type { Operation } from "@vendor-sdk/core"
import { saveCompanies } from "./generated/Companies.ts"
import { saveContacts } from "./generated/Contacts.ts"
import { saveLeads } from "./generated/Leads.ts"
import { saveNotes } from "./generated/Notes.ts"
import type * as S from "./generated/schemas.ts"
import { saveTasks } from "./generated/Tasks.ts"
import { Client, type DeclaredError } from "./generated/vendor.ts"

/** v2 accepted the request but refused some of its items (`_embedded.errors`). */
export class ItemsRejected extends Schema.TaggedError<ItemsRejected>()("ItemsRejected", {
  errors: Schema.Unknown,
  message: Schema.String
}) {}

type Save = Operation.Operation<{ readonly body: { readonly add?: ReadonlyArray<any>; readonly update?: ReadonlyArray<any> } }, S.SaveResult, DeclaredError>

const send = (op: Save, action: "add" | "update", chunk: ReadonlyArray<Record<string, unknown>>) =>
  Effect.flatMap(Client, (client) =>
    Effect.flatMap(client.execute(op, { body: { [action]: chunk } }), (result) => {
      const errors = result._embedded?.errors
      if (errors !== undefined && Object.keys(errors).length > 0) {
        return Effect.fail(new ItemsRejected({ errors, message: `Kommo refused items of this ${action} request` }))
      }
      return Effect.succeed(result._embedded?.items ?? [])
    }))

const entityTypes: Record<string, string> = {
  saveLeads: "leads",
  saveContacts: "contacts",
  saveCompanies: "companies",
  saveTasks: "tasks",
  saveNotes: "notes"
}

const saver = <W extends { readonly id?: number | string | undefined; readonly updated_at?: number | string | undefined }>(op: Save) => ({
  /** Adds entities, in requests of at most `size`. */
  add: (items: ReadonlyArray<W>, options?: AmoCRM.Batch.Options) =>
    AmoCRM.Batch.run(items, (chunk) => send(op, "add", chunk as ReadonlyArray<Record<string, unknown>>), options),
  /** Updates entities under their locks, stamping `updated_at` when it is missing. */
  update: (items: ReadonlyArray<W>, options?: AmoCRM.Batch.Options) =>
    AmoCRM.Batch.run(
      items,
      (chunk) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          AmoCRM.EntityLock.withEntities(
            `kommo-v2:${entityTypes[op.operationId]}`,
            chunk.flatMap((item) => item.id === undefined ? [] : [item.id])
          )(
            send(op, "update", chunk.map((item) => ({ ...item, updated_at: item.updated_at ?? Math.floor(now / 1000) + 5 })))
          )),
      options
    )
})

/** Leads: `add` and `update` with a limit. */
export const leads = saver<S.LeadWrite>(saveLeads)
/** Contacts. */
export const contacts = saver<S.ContactWrite>(saveContacts)
/** Companies. */
export const companies = saver<S.CompanyWrite>(saveCompanies)
/** Tasks. */
export const tasks = saver<S.TaskWrite>(saveTasks)
/** Notes. */
export const notes = saver<S.NoteWrite>(saveNotes)
