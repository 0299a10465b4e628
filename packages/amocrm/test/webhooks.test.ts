/**
 * Incoming webhooks: the form-encoded, bracketed body parsed into typed events.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AmoCRM } from "@vendor-sdk/amocrm"

// A lead status change and a new contact, as amoCRM posts them (application/x-www-form-urlencoded).
const body = [
  "leads[status][0][id]=25399013",
  "leads[status][0][name]=Lead%20title",
  "leads[status][0][status_id]=142",
  "leads[status][0][old_status_id]=7039101",
  "leads[status][0][price]=0",
  "leads[status][0][responsible_user_id]=102525",
  "leads[status][0][last_modified]=1413554372",
  "leads[status][0][custom_fields][0][id]=427183",
  "leads[status][0][custom_fields][0][name]=Checkbox",
  "leads[status][0][custom_fields][0][values][0]=1",
  "contacts[add][0][id]=4501",
  "contacts[add][0][name]=Ann%20Lee",
  "contacts[add][1][id]=4502",
  "contacts[add][1][name]=Bob",
  "account[subdomain]=example",
  "account[id]=31000001",
  "account[_links][self]=https%3A%2F%2Fexample.amocrm.ru"
].map((pair) => pair.replace(/\[/g, "%5B").replace(/\]/g, "%5D")).join("&")

describe("incoming webhooks", () => {
  it.effect("parses the bracketed form into typed events per entity and action", () =>
    Effect.gen(function*() {
      const webhook = yield* AmoCRM.IncomingWebhooks.parse(body)
      expect(webhook.account.subdomain).toBe("example")
      expect(webhook.account.id).toBe(31000001)
      expect(webhook.events.map((e) => [e.entity, e.action, e.data.id])).toEqual([
        ["leads", "status", 25399013],
        ["contacts", "add", 4501],
        ["contacts", "add", 4502]
      ])
      const status = webhook.events[0]!.data
      expect(status.status_id).toBe(142)
      expect(status.old_status_id).toBe(7039101)
      expect(status.name).toBe("Lead title")
      expect(status.custom_fields).toEqual({ 0: { id: "427183", name: "Checkbox", values: { 0: "1" } } })
    }))

  it.effect("refuses a delivery from another account, and a body without changes", () =>
    Effect.gen(function*() {
      const other = yield* Effect.flip(AmoCRM.IncomingWebhooks.parse(body, { subdomain: "someone-else" }))
      expect(other.reason).toBe("account")
      const empty = yield* Effect.flip(AmoCRM.IncomingWebhooks.parse("account%5Bsubdomain%5D=example"))
      expect(empty.reason).toBe("malformed")
      const bad = yield* Effect.flip(AmoCRM.IncomingWebhooks.parse("leads%5Badd%5D%5B0%5D%5Bid%5D=abc"))
      expect(bad.message).toContain("leads[add][0]")
    }))

  it("parses PHP-style empty brackets as a list", () => {
    expect(AmoCRM.IncomingWebhooks.parseForm("a[]=1&a[]=2&b[c][]=x")).toEqual({ a: { 0: "1", 1: "2" }, b: { c: { 0: "x" } } })
  })
})

describe("incoming webhooks from untrusted senders", () => {
  const encode = (pairs: ReadonlyArray<string>) => pairs.map((pair) => pair.replace(/\[/g, "%5B").replace(/\]/g, "%5D")).join("&")

  it.effect("never reaches Object.prototype: __proto__, constructor and prototype segments are dropped", () =>
    Effect.gen(function*() {
      const hostile = encode([
        "leads[__proto__][polluted]=yes",
        "__proto__[polluted]=yes",
        "leads[add][0][constructor][prototype][polluted]=yes",
        "contacts[prototype][polluted]=yes",
        "leads[add][0][id]=7",
        "account[subdomain]=example"
      ])
      try {
        const webhook = yield* AmoCRM.IncomingWebhooks.parse(hostile)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false)
        expect(webhook.events.map((e) => [e.entity, e.action, e.data.id])).toEqual([["leads", "add", 7]])
        expect(Object.keys(webhook.raw)).toEqual(["leads", "account"])
        expect(Object.getPrototypeOf(webhook.raw)).toBeNull()
      } finally {
        delete (Object.prototype as Record<string, unknown>).polluted
      }
    }))

  it("numbers a[] after the largest index so far, so nothing is overwritten", () => {
    expect(AmoCRM.IncomingWebhooks.parseForm("a[1]=x&a[]=y&a[]=z&b[5]=p&b[]=q")).toEqual({
      a: { 1: "x", 2: "y", 3: "z" },
      b: { 5: "p", 6: "q" }
    })
  })

  it.effect("reads an empty numeric field as not set instead of 0, keeping it in raw", () =>
    Effect.gen(function*() {
      const webhook = yield* AmoCRM.IncomingWebhooks.parse(
        encode(["leads[add][0][id]=7", "leads[add][0][price]=", "leads[add][0][status_id]=", "account[subdomain]=example"])
      )
      const [event] = webhook.events
      expect(event!.data.id).toBe(7)
      expect(event!.data.price).toBeUndefined()
      expect("status_id" in event!.data).toBe(false)
      expect(webhook.raw).toMatchObject({ leads: { add: { 0: { price: "" } } } })
    }))
})
