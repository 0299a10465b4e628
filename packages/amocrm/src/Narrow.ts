/**
 * Narrowing notes and custom-field values by their type.
 *
 * `Note` and `CustomFieldValues` are unions on `note_type` / `field_type` that end with a catch-all
 * member for types amoCRM may add (its `note_type: string`), so TypeScript cannot narrow them by
 * comparing the tag. These guards can: they check the tag and that the value matches that type's
 * schema.
 *
 * ```ts
 * if (AmoCRM.isNote("call_in")(note)) note.params?.duration
 * if (AmoCRM.isCustomField("multitext")(field)) field.values?.map((v) => v.enum_code)
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { CustomFieldValues, Note } from "./generated/schemas.ts"

type Literal<T, K extends string> = T extends { readonly [P in K]: infer L } ? string extends L ? never : L : never

/** The note types with a schema of their own. */
export type NoteType = Literal<Note, "note_type">
/** The custom-field types with a schema of their own. */
export type FieldType = Literal<CustomFieldValues, "field_type">

const literalOf = (member: Schema.Top, key: string): unknown =>
  ((member as unknown as Schema.Struct<Schema.Struct.Fields>).fields[key]?.ast as { readonly literal?: unknown } | undefined)?.literal

const guards = (members: ReadonlyArray<Schema.Top>, key: string) => {
  const byType = new Map<unknown, (u: unknown) => boolean>()
  for (const member of members) {
    const literal = literalOf(member, key)
    if (literal !== undefined) byType.set(literal, Schema.is(member as Schema.Codec<unknown, unknown>))
  }
  return (type: string) => byType.get(type) ?? (() => false)
}

const noteGuard = guards(Note.members, "note_type")
const fieldGuard = guards(CustomFieldValues.members, "field_type")

/** Whether a note is of `type` (and shaped as that type). */
export const isNote = <T extends NoteType>(type: T) => {
  const is = noteGuard(type)
  return (note: Note): note is Extract<Note, { readonly note_type: T }> => note.note_type === type && is(note)
}

/** Whether custom-field values are of `type` (and shaped as that type). */
export const isCustomField = <T extends FieldType>(type: T) => {
  const is = fieldGuard(type)
  return (field: CustomFieldValues): field is Extract<CustomFieldValues, { readonly field_type: T }> =>
    field.field_type === type && is(field)
}
