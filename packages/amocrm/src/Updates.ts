/**
 * Single-entity updates under the entity lock: two updates of one lead (contact, …) never overlap,
 * in this process or, with `EntityLock.layerRedis`, in any process sharing the Redis server. For
 * batches, `Batch.update…` takes the locks of every id it carries.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as EntityLock from "./EntityLock.ts"
import { Companies, type UpdateCompanyParams } from "./generated/Companies.ts"
import { Contacts, type UpdateContactParams } from "./generated/Contacts.ts"
import { Customers, type UpdateCustomerParams } from "./generated/Customers.ts"
import { Leads, type UpdateLeadParams } from "./generated/Leads.ts"
import { Tasks, type UpdateTaskParams } from "./generated/Tasks.ts"

/** Updates one lead, holding its lock. */
export const updateLead = (params: UpdateLeadParams) =>
  EntityLock.withEntity("leads", params.id)(Effect.flatMap(Leads, (leads) => leads.updateLead(params)))

/** Updates one contact, holding its lock. */
export const updateContact = (params: UpdateContactParams) =>
  EntityLock.withEntity("contacts", params.id)(Effect.flatMap(Contacts, (contacts) => contacts.updateContact(params)))

/** Updates one company, holding its lock. */
export const updateCompany = (params: UpdateCompanyParams) =>
  EntityLock.withEntity("companies", params.id)(Effect.flatMap(Companies, (companies) => companies.updateCompany(params)))

/** Updates one customer, holding its lock. */
export const updateCustomer = (params: UpdateCustomerParams) =>
  EntityLock.withEntity("customers", params.id)(Effect.flatMap(Customers, (customers) => customers.updateCustomer(params)))

/** Updates one task, holding its lock. */
export const updateTask = (params: UpdateTaskParams) =>
  EntityLock.withEntity("tasks", params.id)(Effect.flatMap(Tasks, (tasks) => tasks.updateTask(params)))
