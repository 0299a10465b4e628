/**
 * Test doubles for generated services.
 *
 * Every generated service has `layerTest(implementation)`: the methods a test supplies run as given;
 * a method it did not supply dies, naming the service and the method. The `...Stream` method of a
 * paginated list is derived from its page method when only that is supplied, and each
 * `withResponse` method from its plain method.
 *
 * Provide {@link Recorder.layer} beside test layers to capture the calls a program made.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Schema, Stream } from "effect"
import { Headers, HttpClientRequest } from "effect/http"
import type * as Operation from "./Operation.ts"
import * as Pagination from "./Pagination.ts"

/** A method a test double was asked for but not given. */
export class Unimplemented extends Schema.TaggedError<Unimplemented>()("Unimplemented", {
  vendor: Schema.String,
  service: Schema.String,
  method: Schema.String
}) {
  override get message() {
    return `${this.vendor} ${this.service}.${this.method} is not implemented by this layerTest; pass it in the implementation`
  }
}

/** One recorded call. */
export interface Call {
  readonly vendor: string
  readonly service: string
  readonly method: string
  readonly params: unknown
}

/** Collects the calls made to test doubles built after it is provided. */
export class Recorder extends Context.Service<Recorder, {
  readonly record: (call: Call) => Effect.Effect<void>
  /** Every call so far, in order. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
}>()("@vendor-sdk/core/Testing/Recorder") {
  static readonly layer: Layer.Layer<Recorder> = Layer.sync(Recorder, () => {
    const calls: Array<Call> = []
    return Recorder.of({
      record: (call) => Effect.sync(() => void calls.push(call)),
      calls: Effect.sync(() => [...calls])
    })
  })
}

/** The calls recorded so far. */
export const calls: Effect.Effect<ReadonlyArray<Call>, never, Recorder> = Recorder.use((recorder) => recorder.calls)

type AnyFunction = (...args: ReadonlyArray<any>) => any

/** What a test supplies: any subset of the methods, and of the `withResponse` methods. */
export type Implementation<S> = {
  readonly [K in keyof S as K extends "withResponse" ? never : K]?: S[K]
} & {
  readonly withResponse?: S extends { readonly withResponse: infer W } ? Partial<W> : never
}

/** How a generated service is laid out, for {@link layer}. */
export interface Layout {
  readonly vendor: string
  readonly service: string
  /** The plain methods and the operation each runs. */
  readonly operations: Readonly<Record<string, Operation.Any>>
  /** Stream methods and the page method each derives from. */
  readonly streams: Readonly<Record<string, string>>
}

/** A test layer for a generated service. */
export const layer = <I, S>(
  tag: Context.Service<I, S>,
  implementation: Implementation<S>,
  layout: Layout
): Layer.Layer<I> =>
  Layer.effect(
    tag,
    Effect.map(Effect.serviceOption(Recorder), (recorder) => {
      const given = implementation as Record<string, AnyFunction | undefined>
      const givenWithResponse = (implementation.withResponse ?? {}) as Record<string, AnyFunction | undefined>
      const missing = (method: string) =>
        new Unimplemented({ vendor: layout.vendor, service: layout.service, method })
      const record = <A>(method: string, params: unknown, effect: Effect.Effect<A, unknown>) =>
        Option.isNone(recorder)
          ? effect
          : Effect.andThen(
            recorder.value.record({ vendor: layout.vendor, service: layout.service, method, params }),
            effect
          )
      const service: Record<string, unknown> = {}
      const withResponse: Record<string, unknown> = {}
      for (const [method, operation] of Object.entries(layout.operations)) {
        const plain = given[method]
        service[method] = (params: unknown) =>
          plain === undefined ? Effect.die(missing(method)) : record(method, params, plain(params))
        const explicit = givenWithResponse[method]
        withResponse[method] = (params: unknown) =>
          explicit !== undefined
            ? record(`withResponse.${method}`, params, explicit(params))
            : plain === undefined
            ? Effect.die(missing(`withResponse.${method}`))
            : record(
              `withResponse.${method}`,
              params,
              Effect.map(plain(params) as Effect.Effect<unknown>, (value) => ({
                value,
                status: 200,
                headers: Headers.empty,
                body: value,
                request: HttpClientRequest.make(operation.method)(operation.path)
              }))
            )
      }
      for (const [method, pageMethod] of Object.entries(layout.streams)) {
        const explicit = given[method]
        const page = given[pageMethod]
        const operation = layout.operations[pageMethod]
        service[method] = (params: unknown) => {
          if (explicit !== undefined) {
            return Stream.unwrap(Effect.as(record(method, params, Effect.void), explicit(params)))
          }
          if (page === undefined || operation?.pagination === undefined) return Stream.die(missing(method))
          return Pagination.stream(operation.pagination, params, (pageParams) => record(pageMethod, pageParams, page(pageParams)))
        }
      }
      service.withResponse = withResponse
      return service as S
    })
  )
