/**
 * The in-memory state of a mock vendor: named collections of records, plus free-form values
 * (issued tokens, sessions).
 *
 * @since 0.1.0
 */

/** A record kept by a collection: any JSON object with an id. */
export type Entity = Record<string, unknown> & { readonly id: number | string }

/** Records of one kind, in insertion order. */
export class Collection<A extends Entity = Entity> {
  private readonly records = new Map<string, A>()
  readonly name: string
  private readonly ids: "increment" | "uuid"
  private next: number

  constructor(name: string, ids: "increment" | "uuid" = "increment", start = 1) {
    this.name = name
    this.ids = ids
    this.next = start
  }

  /** Stores a record, giving it the next id unless it has one. */
  insert(value: Omit<A, "id"> & { readonly id?: A["id"] }): A {
    const id = value.id ?? (this.ids === "uuid" ? crypto.randomUUID() : this.next++)
    if (typeof id === "number" && id >= this.next) this.next = id + 1
    const record = { ...value, id } as A
    this.records.set(String(id), record)
    return record
  }

  get(id: number | string): A | undefined {
    return this.records.get(String(id))
  }

  /** Every record, optionally filtered. */
  list(filter?: (record: A) => boolean): Array<A> {
    const all = [...this.records.values()]
    return filter === undefined ? all : all.filter(filter)
  }

  /** Replaces part of a record, removing keys set to `undefined`; `undefined` when there is no such record. */
  update(id: number | string, patch: Partial<A>): A | undefined {
    const current = this.get(id)
    if (current === undefined) return undefined
    const merged: Record<string, unknown> = { ...current, ...patch, id: current.id }
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key]
    const updated = merged as A
    this.records.set(String(id), updated)
    return updated
  }

  remove(id: number | string): boolean {
    return this.records.delete(String(id))
  }

  get size(): number {
    return this.records.size
  }
}

/** One page of a list: 1-based page number and size. */
export const page = <A>(items: ReadonlyArray<A>, number: number, size: number) => {
  const totalPages = Math.ceil(items.length / size)
  return { items: items.slice((number - 1) * size, number * size), totalPages, totalElements: items.length }
}

/** All state of one mock vendor. */
export class State {
  private readonly collections = new Map<string, Collection<any>>()
  /** Free-form values, e.g. issued tokens. */
  readonly values = new Map<string, unknown>()

  /** The collection of this name, created on first use. */
  collection<A extends Entity = Entity>(
    name: string,
    options: { readonly ids?: "increment" | "uuid"; readonly start?: number } = {}
  ): Collection<A> {
    let found = this.collections.get(name)
    if (found === undefined) {
      found = new Collection<A>(name, options.ids, options.start)
      this.collections.set(name, found)
    }
    return found as Collection<A>
  }
}
