/**
 * The services under the names the official PHP library uses (`$apiClient->leads()`,
 * `->customersStatuses()`, …), as one value, for code ported from it:
 *
 * ```ts
 * const api = yield* AmoCRM.Api
 * yield* api.leads.listLeadsStream({ with: ["contacts"] }).pipe(Stream.runCollect)
 * ```
 *
 * Each entry is the generated service of that group; `statuses` is the pipelines service (statuses
 * are a sub-resource of pipelines) and `files` holds the entity-file links and the Drive API.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { Account } from "./generated/Account.ts"
import { BonusPoints } from "./generated/BonusPoints.ts"
import { Calls } from "./generated/Calls.ts"
import { CatalogElements } from "./generated/CatalogElements.ts"
import { Catalogs } from "./generated/Catalogs.ts"
import { ChatTemplates } from "./generated/ChatTemplates.ts"
import { Companies } from "./generated/Companies.ts"
import { Contacts } from "./generated/Contacts.ts"
import { Currencies } from "./generated/Currencies.ts"
import { CustomerSegments } from "./generated/CustomerSegments.ts"
import { Customers } from "./generated/Customers.ts"
import { CustomerStatuses } from "./generated/CustomerStatuses.ts"
import { CustomFieldGroups } from "./generated/CustomFieldGroups.ts"
import { CustomFields } from "./generated/CustomFields.ts"
import { Drive } from "./generated/Drive.ts"
import { EntityFiles } from "./generated/EntityFiles.ts"
import { Events } from "./generated/Events.ts"
import { Leads } from "./generated/Leads.ts"
import { Links } from "./generated/Links.ts"
import { LossReasons } from "./generated/LossReasons.ts"
import { Notes } from "./generated/Notes.ts"
import { Oauth } from "./generated/Oauth.ts"
import { Pipelines } from "./generated/Pipelines.ts"
import { Products } from "./generated/Products.ts"
import { Roles } from "./generated/Roles.ts"
import { ShortLinks } from "./generated/ShortLinks.ts"
import { Sources } from "./generated/Sources.ts"
import { Subscriptions } from "./generated/Subscriptions.ts"
import { Tags } from "./generated/Tags.ts"
import { Talks } from "./generated/Talks.ts"
import { Tasks } from "./generated/Tasks.ts"
import { Transactions } from "./generated/Transactions.ts"
import { Unsorted } from "./generated/Unsorted.ts"
import { Users } from "./generated/Users.ts"
import { Webhooks } from "./generated/Webhooks.ts"
import { WebsiteButtons } from "./generated/WebsiteButtons.ts"
import { Widgets } from "./generated/Widgets.ts"

const services = {
  leads: Leads,
  contacts: Contacts,
  companies: Companies,
  tasks: Tasks,
  notes: Notes,
  tags: Tags,
  catalogs: Catalogs,
  catalogElements: CatalogElements,
  customFields: CustomFields,
  customFieldGroups: CustomFieldGroups,
  account: Account,
  roles: Roles,
  users: Users,
  customersSegments: CustomerSegments,
  events: Events,
  webhooks: Webhooks,
  unsorted: Unsorted,
  pipelines: Pipelines,
  statuses: Pipelines,
  widgets: Widgets,
  lossReasons: LossReasons,
  transactions: Transactions,
  customers: Customers,
  customersStatuses: CustomerStatuses,
  customersBonusPoints: BonusPoints,
  calls: Calls,
  products: Products,
  links: Links,
  shortLinks: ShortLinks,
  talks: Talks,
  sources: Sources,
  websiteButtons: WebsiteButtons,
  chatTemplates: ChatTemplates,
  entitySubscriptions: Subscriptions,
  currencies: Currencies,
  oauth: Oauth
} as const

type Services = typeof services
type ServiceOf<K extends keyof Services> = Services[K] extends Context.Service<any, infer S> ? S : never

/** The generated services the view is built from. */
export type Requirements =
  | (Services[keyof Services] extends Context.Service<infer I, any> ? I : never)
  | EntityFiles
  | Drive

/** Every service, by the library's name. */
export type Shape = { readonly [K in keyof Services]: ServiceOf<K> } & {
  readonly files: { readonly entity: EntityFiles["Service"]; readonly drive: Drive["Service"] }
}

/** The library-shaped view of the generated services. */
export class Api extends Context.Service<Api, Shape>()("@vendor-sdk/amocrm/Api") {
  /** Built from the generated services in context (provide `AmoCRM.layer` or an account layer). */
  static readonly layer: Layer.Layer<Api, never, Requirements> = Layer.effect(
    Api,
    Effect.gen(function*() {
      const entries: Record<string, unknown> = {}
      for (const [name, tag] of Object.entries(services)) {
        entries[name] = yield* (tag as unknown as Effect.Effect<unknown>)
      }
      return { ...entries, files: { entity: yield* EntityFiles, drive: yield* Drive } } as unknown as Shape
    })
  )
}
