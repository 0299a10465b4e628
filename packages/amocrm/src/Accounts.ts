/**
 * Several amoCRM (or Kommo) accounts in one program.
 *
 * Each account is its own Layer (its own subdomain, credentials, rate-limit budget and client). They
 * are built once, each with a memo map of its own so no service is shared between accounts by
 * accident, and an effect runs against one of them with {@link run}:
 *
 * ```ts
 * const accounts = AmoCRM.Accounts.layer({
 *   acme: AmoCRM.layerAccount({ subdomain: "acme", auth: AmoCRM.OAuth.layer({ ... , account: "acme" }) }),
 *   beta: AmoCRM.layerAccount({ subdomain: "beta", domain: "kommo.com", auth: AmoCRM.OAuth.longLived(token) })
 * })
 * const leads = yield* AmoCRM.Accounts.run<AmoCRM.Services>("acme")(AmoCRM.Leads.use((leads) => leads.listLeads({})))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema, type Scope } from "effect"

/** No account of that name was configured. */
export class UnknownAccount extends Schema.TaggedError<UnknownAccount>()("UnknownAccount", {
  account: Schema.String,
  known: Schema.Array(Schema.String)
}) {}

/** Built accounts, by name. */
export interface Registry {
  readonly names: ReadonlyArray<string>
  /** The services of one account, for `Effect.provideContext`. */
  readonly context: (name: string) => Effect.Effect<Context.Context<never>, UnknownAccount>
}

type AnyLayer = Layer.Layer<never, unknown, unknown>
/** What building the account layers can fail with. */
export type ErrorOf<L extends Record<string, AnyLayer>> = Layer.Error<L[keyof L]>
/** What the account layers need. */
export type RequirementsOf<L extends Record<string, AnyLayer>> = Layer.Services<L[keyof L]>

/** Builds one Layer per account into the current scope. */
export const make = <const L extends Record<string, AnyLayer>>(
  layers: L
): Effect.Effect<Registry, ErrorOf<L>, RequirementsOf<L> | Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const built = new Map<string, Context.Context<never>>()
    for (const [name, layer] of Object.entries(layers)) {
      // A memo map per account: the generated layers are shared values, and one memo map would
      // hand every account the first account's client.
      const memoMap = yield* Layer.makeMemoMap
      built.set(name, yield* Layer.buildWithMemoMap(layer, memoMap, scope))
    }
    const names = [...built.keys()]
    return {
      names,
      context: (name) => {
        const found = built.get(name)
        return found === undefined ? Effect.fail(new UnknownAccount({ account: name, known: names })) : Effect.succeed(found)
      }
    } satisfies Registry
  }) as Effect.Effect<Registry, ErrorOf<L>, RequirementsOf<L> | Scope.Scope> // what each account layer fails with and needs

/** The accounts of a program. */
export class Accounts extends Context.Service<Accounts, Registry>()("@vendor-sdk/amocrm/Accounts") {
  /** Builds every account's layer; the accounts live as long as this layer. */
  static readonly layer = <const L extends Record<string, AnyLayer>>(
    layers: L
  ): Layer.Layer<Accounts, ErrorOf<L>, RequirementsOf<L>> => Layer.effect(Accounts, make(layers))
}

/**
 * Runs `effect` with the services of one account. `Services` is what each account layer provides
 * (for amoCRM: `AmoCRM.Services`).
 */
export const run = <Services = never>(name: string) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | UnknownAccount, Exclude<R, Services> | Accounts> =>
  Effect.flatMap(Accounts, (accounts) =>
    Effect.flatMap(accounts.context(name), (context) =>
      // The account's context holds `Services`; what else `effect` needs stays required.
      Effect.provideContext(effect as Effect.Effect<A, E, Exclude<R, Services> | Services>, context as Context.Context<Services>)))

/** `Accounts.layer`, at module level: `AmoCRM.Accounts.layer({ acme: …, beta: … })`. */
export const layer = Accounts.layer
