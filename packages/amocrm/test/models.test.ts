/**
 * The models: every custom-field value kind decodes and encodes back (without its read-only keys),
 * `values: null` clears a field, unknown field types are kept, and notes are a union on `note_type`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"

const field = (field_type: string, values: unknown) => ({
  field_id: 100 + field_type.length,
  field_name: `A ${field_type} field`,
  field_code: null,
  field_type,
  values
})

/** One realistic read value per `field_type`, as amoCRM sends them. */
const samples: ReadonlyArray<readonly [string, unknown]> = [
  ["text", [{ value: "Some text" }]],
  ["textarea", [{ value: "Line one\nLine two" }]],
  ["url", [{ value: "https://example.test" }]],
  ["streetaddress", [{ value: "1 Main St" }]],
  ["tracking_data", [{ value: "utm_source=google" }]],
  ["org_legal_name", [{ value: "Acme LLC" }]],
  ["numeric", [{ value: 12.5 }]],
  ["price", [{ value: 1000 }]],
  ["monetary", [{ value: 99.99 }]],
  ["checkbox", [{ value: true }]],
  ["date", [{ value: 1700000000 }]],
  ["date_time", [{ value: "2024-05-08T10:00:00+00:00" }]],
  ["birthday", [{ value: 631152000 }]],
  ["select", [{ value: "Web", enum_id: 4, enum_code: null }]],
  ["smart_address", [{ value: "Moscow", enum_id: 3, enum_code: "city" }]],
  ["multiselect", [{ value: "A", enum_id: 1 }, { value: "B", enum_id: 2 }]],
  ["radiobutton", [{ value: "Yes", enum_id: 7 }]],
  ["category", [{ value: "Shoes", enum_id: 9 }]],
  ["multitext", [{ value: "+7 900 000-00-00", enum_id: 1, enum_code: "WORK" }, { value: "ann@example.test", enum_code: "PRIV" }]],
  ["legal_entity", [{ value: { name: "Acme", entity_type: 1, vat_id: "7700000000", kpp: "770001001", address: "Moscow" } }]],
  ["payer", [{ value: { name: "Acme", type: "legal", vat_id: "7700000000", email: "pay@acme.test" } }]],
  ["supplier", [{ value: { entity_id: 5, name: "Supplier", vat_id: "123" } }]],
  ["linked_entity", [{ value: { name: "Product", entity_id: 10, entity_type: "catalog_elements", catalog_id: 1001 } }]],
  ["items", [{ value: { sku: "SKU-1", description: "Thing", unit_price: 10, quantity: 2, unit_type: "pcs", discount: { type: "percentage", value: 5 }, vat_rate_id: 0, product_id: 17 } }]],
  ["file", [{ value: { file_uuid: "2f8c7f7e-0000-4000-8000-000000000001", version_uuid: "2f8c7f7e-0000-4000-8000-000000000002", file_name: "a.pdf", file_size: 1024 } }]],
  ["chained_list", [{ catalog_id: 1001, catalog_element_id: 17 }]]
]

/** What a value looks like when sent: `field_type` and `field_name` are read-only, amoCRM refuses them. */
const sent = (wire: Record<string, unknown>) => {
  const { field_name: _name, field_type: _type, ...rest } = wire
  return rest
}

const decode = Schema.decodeUnknownSync(AmoCRM.CustomFieldValues)
const encode = Schema.encodeSync(AmoCRM.CustomFieldValues)

describe("custom-field values", () => {
  it("covers every field type amoCRM documents", () => {
    const documented = AmoCRM.CustomFieldType.members[0].literals
    expect(new Set(samples.map(([type]) => type))).toEqual(new Set(documented))
  })

  for (const [type, values] of samples) {
    it(`${type}: decodes to its own schema and encodes back, without the read-only keys`, () => {
      const wire = field(type, values)
      // The member of this type must accept it itself, not the catch-all for unknown types.
      const member = AmoCRM.CustomFieldValues.members.find((m) => (m.fields.field_type.ast as { literal?: unknown }).literal === type)
      expect(member).toBeDefined()
      Schema.decodeUnknownSync(member as Schema.Codec<unknown, unknown>)(wire)
      const decoded = decode(wire)
      expect(decoded.field_type).toBe(type)
      expect(encode(decoded)).toEqual(sent(wire))
    })
  }

  it("rejects a value of the wrong shape for its type instead of passing it through", () => {
    expect(() => Schema.decodeUnknownSync(AmoCRM.CheckboxCustomFieldValues)(field("checkbox", [{ value: "yes" }]))).toThrow()
  })

  it("expresses clearing a field: values null goes on the wire as null", () => {
    const clear: AmoCRM.CustomFieldValues = { field_type: "text", field_id: 101, values: null }
    const update = Schema.encodeSync(AmoCRM.LeadUpdateItem)({ id: 1, custom_fields_values: [clear] })
    expect(JSON.parse(JSON.stringify(update))).toEqual({ id: 1, custom_fields_values: [{ field_id: 101, values: null }] })
  })

  it("narrows values by field type", () => {
    const phones = decode(field("multitext", [{ value: "+7 900", enum_code: "MOB" }]))
    expect(AmoCRM.isCustomField("multitext")(phones) && phones.values?.map((v) => v.enum_code)).toEqual(["MOB"])
    expect(AmoCRM.isCustomField("select")(phones)).toBe(false)
  })

  it("keeps values of a field type it does not know", () => {
    const wire = field("hologram", [{ value: "x", extra: 1 }])
    expect(encode(decode(wire))).toEqual(sent(wire))
  })
})

describe("notes", () => {
  const decodeNote = Schema.decodeUnknownSync(AmoCRM.Note)
  const base = { id: 1, entity_id: 5, created_by: 2, created_at: 1700000000, updated_at: 1700000000, account_id: 3 }

  it("decodes each note type to the member of its note_type", () => {
    const common = decodeNote({ ...base, note_type: "common", params: { text: "Hello" } })
    const call = decodeNote({
      ...base,
      note_type: "call_in",
      params: { uniq: "abc", duration: 60, source: "pbx", link: "https://rec.test/1.mp3", phone: "+79000000000", call_status: 4 }
    })
    const sms = decodeNote({ ...base, note_type: "sms_out", params: { text: "Hi", phone: "+79000000000" } })
    const geo = decodeNote({ ...base, note_type: "geolocation", params: { text: "Office", address: "Moscow", longitude: "37.6", latitude: "55.7" } })
    expect(AmoCRM.isNote("common")(common) && common.params?.text).toBe("Hello")
    expect(AmoCRM.isNote("call_in")(call) && call.params?.duration).toBe(60)
    expect(AmoCRM.isNote("sms_out")(sms) && sms.params?.phone).toBe("+79000000000")
    expect(AmoCRM.isNote("geolocation")(geo)).toBe(true)
    expect(AmoCRM.isNote("common")(call)).toBe(false)
  })

  it("keeps unknown note types", () => {
    const note = decodeNote({ ...base, note_type: "future_type", params: { anything: true } })
    expect(note.note_type).toBe("future_type")
  })

  it("encodes note inputs of each writable type", () => {
    const encodeInput = Schema.encodeSync(AmoCRM.NoteInput)
    expect(encodeInput({ entity_id: 5, note_type: "common", params: { text: "Hi" } })).toEqual({
      entity_id: 5,
      note_type: "common",
      params: { text: "Hi" }
    })
    expect(encodeInput({ entity_id: 5, note_type: "service_message", params: { service: "Bot", text: "Done" } }).note_type).toBe(
      "service_message"
    )
  })
})
