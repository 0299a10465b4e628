/**
 * Webhooks amoCRM delivers: `application/x-www-form-urlencoded` POSTs with PHP-style bracketed keys
 * (`leads[status][0][id]=25399013&account[subdomain]=test`), parsed into typed events.
 *
 * amoCRM does not sign webhooks; check `account` (pass `subdomain` or `accountId`) and use a secret
 * path. Every scalar arrives as a string: ids and timestamps are decoded to numbers, other fields are
 * kept as sent.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { Errors } from "@vendor-sdk/core"

/** The body could not be read as an amoCRM webhook, or came from another account. */
export class InvalidWebhook extends Schema.TaggedError<InvalidWebhook>()("InvalidWebhook", {
  reason: Schema.Literals(["malformed", "account"]),
  message: Schema.String
}) {}

/** A nested value as PHP would build it from bracketed keys. */
export type Nested = string | { readonly [key: string]: Nested }

/**
 * Key segments that are never used as property names. The webhook body comes from anyone who knows
 * the URL (amoCRM does not sign it), and these would reach `Object.prototype` or a constructor.
 */
const forbidden = new Set(["__proto__", "constructor", "prototype"])

/** An object without a prototype, so no key of the body can reach `Object.prototype`. */
const node = (): Record<string, Nested> => Object.create(null) as Record<string, Nested>

const index = /^(0|[1-9]\d*)$/

/**
 * PHP `$_POST` parsing: `a[b][]=1&a[c]=2` → `{ a: { b: { 0: "1" }, c: "2" } }`; lists become
 * index-keyed objects, and `a[]` appends after the largest index so far (`a[1]=x&a[]=y` keeps both).
 *
 * The objects it builds have no prototype, and a key with a `__proto__`, `constructor` or `prototype`
 * segment is dropped: a delivery cannot change any other object of the program.
 */
export const parseForm = (body: string | URLSearchParams): Record<string, Nested> => {
  const pairs = typeof body === "string" ? new URLSearchParams(body) : body
  const root = node()
  // Per object, one past its largest numeric key so far: where `a[]=…` goes, as in PHP.
  const nextIndex = new WeakMap<object, number>()
  const set = (target: Record<string, Nested>, segment: string, value: Nested) => {
    target[segment] = value
    if (index.test(segment)) nextIndex.set(target, Math.max(nextIndex.get(target) ?? 0, Number(segment) + 1))
  }
  for (const [key, value] of pairs) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key)
    if (match === null) continue
    const segments = [match[1]!, ...[...match[2]!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!)]
    if (segments.some((segment) => forbidden.has(segment))) continue
    let cursor = root
    segments.forEach((raw, i) => {
      const segment = raw === "" ? String(nextIndex.get(cursor) ?? 0) : raw
      if (i === segments.length - 1) {
        set(cursor, segment, value)
        return
      }
      const child = Object.hasOwn(cursor, segment) ? cursor[segment] : undefined
      const next = typeof child === "object" ? child as Record<string, Nested> : node()
      set(cursor, segment, next)
      cursor = next
    })
  }
  return root
}

const NumberString = Schema.Union([Schema.Number, Schema.FiniteFromString])

/** An entity as a webhook carries it: well-known numeric fields decoded, everything else as sent. */
export const WebhookEntity = Schema.StructWithRest(
  Schema.Struct({
    id: Schema.optionalKey(NumberString),
    name: Schema.optionalKey(Schema.String),
    status_id: Schema.optionalKey(NumberString),
    old_status_id: Schema.optionalKey(NumberString),
    pipeline_id: Schema.optionalKey(NumberString),
    old_pipeline_id: Schema.optionalKey(NumberString),
    price: Schema.optionalKey(NumberString),
    responsible_user_id: Schema.optionalKey(NumberString),
    created_user_id: Schema.optionalKey(NumberString),
    modified_user_id: Schema.optionalKey(NumberString),
    account_id: Schema.optionalKey(NumberString),
    element_id: Schema.optionalKey(NumberString),
    element_type: Schema.optionalKey(NumberString),
    date_create: Schema.optionalKey(NumberString),
    last_modified: Schema.optionalKey(NumberString),
    created_at: Schema.optionalKey(NumberString),
    updated_at: Schema.optionalKey(NumberString)
  }),
  [Schema.Record(Schema.String, Schema.Unknown)]
)
export type WebhookEntity = typeof WebhookEntity.Type

/** The sending account. */
export const WebhookAccount = Schema.StructWithRest(
  Schema.Struct({
    id: Schema.optionalKey(NumberString),
    subdomain: Schema.optionalKey(Schema.String)
  }),
  [Schema.Record(Schema.String, Schema.Unknown)]
)
export type WebhookAccount = typeof WebhookAccount.Type

/** One change: `leads` × `status`, with the entity's fields. */
export interface WebhookEvent {
  /** `leads`, `contacts`, `companies`, `customers`, `task`, `catalogs`, `talk`, `unsorted`, … */
  readonly entity: string
  /** `add`, `update`, `delete`, `restore`, `status`, `responsible`, `note`, … */
  readonly action: string
  readonly data: WebhookEntity
}

/** A parsed delivery. */
export interface Webhook {
  readonly account: WebhookAccount
  readonly events: ReadonlyArray<WebhookEvent>
  /** The bracket-parsed body, for fields this module does not type. */
  readonly raw: Record<string, Nested>
}

const numericFields = [
  "id",
  "status_id",
  "old_status_id",
  "pipeline_id",
  "old_pipeline_id",
  "price",
  "responsible_user_id",
  "created_user_id",
  "modified_user_id",
  "account_id",
  "element_id",
  "element_type",
  "date_create",
  "last_modified",
  "created_at",
  "updated_at"
] as const

/**
 * An empty numeric field (`leads[add][0][price]=`) means "not set": it is left out of the decoded
 * entity (it stays in `raw`) instead of reading as 0 or failing the delivery.
 */
const withoutEmptyNumbers = (item: unknown): unknown => {
  if (typeof item !== "object" || item === null) return item
  const copy: Record<string, unknown> = { ...item }
  for (const field of numericFields) {
    const value = copy[field]
    if (typeof value === "string" && value.trim() === "") delete copy[field]
  }
  return copy
}

const decodeEntityFields = Schema.decodeUnknownEffect(WebhookEntity)
const decodeEntity = (item: unknown) => decodeEntityFields(withoutEmptyNumbers(item))
const decodeAccountFields = Schema.decodeUnknownEffect(WebhookAccount)
const decodeAccount = (account: unknown) => decodeAccountFields(withoutEmptyNumbers(account))
/**
 * Parses a delivery. With `subdomain` or `accountId`, a delivery from any other account fails with
 * `InvalidWebhook` (reason `account`).
 */
export const parse = (
  body: string | URLSearchParams,
  expect: { readonly subdomain?: string | undefined; readonly accountId?: number | undefined } = {}
): Effect.Effect<Webhook, InvalidWebhook> =>
  Effect.gen(function*() {
    const raw = parseForm(body)
    const malformed = (message: string) => new InvalidWebhook({ reason: "malformed", message })
    const account = yield* decodeAccount(raw.account ?? {}).pipe(
      Effect.mapError((error) => malformed(`account: ${Errors.firstIssue(error).message}`))
    )
    if (
      (expect.subdomain !== undefined && account.subdomain !== expect.subdomain) ||
      (expect.accountId !== undefined && account.id !== expect.accountId)
    ) {
      return yield* new InvalidWebhook({
        reason: "account",
        message: `The webhook came from account ${account.subdomain ?? account.id ?? "unknown"}`
      })
    }
    const events: Array<WebhookEvent> = []
    for (const [entity, actions] of Object.entries(raw)) {
      if (entity === "account" || typeof actions !== "object") continue
      for (const [action, items] of Object.entries(actions)) {
        if (typeof items !== "object") continue
        for (const [index, item] of Object.entries(items)) {
          const data = yield* decodeEntity(item).pipe(
            Effect.mapError((error) =>
              malformed(`${entity}[${action}][${index}]: ${Errors.firstIssue(error).message}`)
            )
          )
          events.push({ entity, action, data })
        }
      }
    }
    if (events.length === 0) return yield* malformed("The body holds no entity changes")
    return { account, events, raw }
  })
