/**
 * Batch writes of any size, split into requests a vendor accepts.
 *
 * Items are sent in chunks, in order; results come back in input order. When chunks fail, the
 * error names every item that was not written, with the error of its chunk, and keeps the results
 * of the chunks that succeeded: nothing is dropped silently.
 *
 * @since 0.1.0
 */
import { Data, Effect, Schema } from "effect"

/** The vendor answered a chunk with a different number of results than items sent. */
export class BatchMismatch extends Schema.TaggedError<BatchMismatch>()("BatchMismatch", {
  sent: Schema.Number,
  received: Schema.Number
}) {}

/** One item that was not written, and why. */
export interface Failed<I, E> {
  /** Its position in the input. */
  readonly index: number
  readonly item: I
  readonly error: E
}

/**
 * Some chunks failed. `succeeded` holds the results of the others, by input position. (A `Data`
 * error rather than a Schema one: it is generic in the items, results and errors it carries.)
 */
export class BatchError<I, A, E> extends Data.TaggedError("BatchError")<{
  readonly failed: ReadonlyArray<Failed<I, E>>
  readonly succeeded: ReadonlyArray<{ readonly index: number; readonly result: A }>
}> {
  override get message() {
    const errors = [...new Set(this.failed.map((f) => String((f.error as { readonly _tag?: string })?._tag ?? f.error)))]
    return `${this.failed.length} item(s) not written (${errors.join(", ")}); ${this.succeeded.length} written`
  }
}

/** Splits `items` into chunks of at most `size`. */
export const chunks = <I>(items: ReadonlyArray<I>, size: number): Array<ReadonlyArray<I>> => {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Batch size must be a positive integer, got ${size}`)
  const out: Array<ReadonlyArray<I>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Runs `write` on chunks of at most `size` items. `write` must return one result per item of its
 * chunk, in the chunk's order. Chunks run `concurrency` at a time (one by default, as vendors with
 * entity locks expect).
 */
export const run = <I, A, E, R>(options: {
  readonly items: ReadonlyArray<I>
  readonly size: number
  readonly write: (chunk: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<A>, E, R>
  readonly concurrency?: number | undefined
}): Effect.Effect<Array<A>, BatchError<I, A, E | BatchMismatch>, R> =>
  Effect.gen(function*() {
    const parts = chunks(options.items, options.size)
    const outcomes = yield* Effect.forEach(
      parts,
      (chunk, n) => Effect.result(options.write(chunk)).pipe(Effect.map((result) => ({ chunk, n, result }))),
      { concurrency: options.concurrency ?? 1 }
    )
    const failed: Array<Failed<I, E | BatchMismatch>> = []
    const succeeded: Array<{ index: number; result: A }> = []
    for (const { chunk, n, result } of outcomes) {
      const offset = n * options.size
      if (result._tag === "Failure") {
        chunk.forEach((item, i) => failed.push({ index: offset + i, item, error: result.failure }))
      } else if (result.success.length !== chunk.length) {
        chunk.forEach((item, i) =>
          failed.push({
            index: offset + i,
            item,
            error: new BatchMismatch({ sent: chunk.length, received: result.success.length })
          })
        )
      } else {
        result.success.forEach((value, i) => succeeded.push({ index: offset + i, result: value }))
      }
    }
    if (failed.length > 0) return yield* new BatchError({ failed, succeeded })
    return succeeded.map((entry) => entry.result)
  })
