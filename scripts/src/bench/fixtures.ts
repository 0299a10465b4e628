/** Realistic Help Scout payloads for the benchmarks. */

const thread = (id: number, type: string) => ({
  id,
  type,
  status: "active",
  state: "published",
  body: `<p>Message ${id} with some text that looks like a real reply from a customer or an agent.</p>`,
  source: { type: "email", via: type === "customer" ? "customer" : "user" },
  customer: { id: 42, email: "customer@example.test", first: "Ana", last: "Lopez" },
  createdBy: { id: 7, type: type === "customer" ? "customer" : "user", first: "Bo", last: "Agent", email: "bo@example.test" },
  to: ["support@example.test"],
  cc: [],
  bcc: [],
  createdAt: "2024-03-01T10:00:00Z",
  openedAt: "2024-03-01T11:00:00Z",
  _links: { self: { href: `https://api.helpscout.net/v2/conversations/1/threads/${id}` } }
})

const conversation = (id: number) => ({
  id,
  number: 1000 + id,
  threads: 3,
  type: "email",
  folderId: 11,
  status: "active",
  state: "published",
  subject: `Order ${id} has not arrived`,
  preview: "Hello, I ordered last week and nothing has arrived yet...",
  mailboxId: 1,
  assignee: { id: 7, type: "user", first: "Bo", last: "Agent", email: "bo@example.test" },
  createdBy: { id: 42, type: "customer", email: "customer@example.test" },
  createdAt: "2024-03-01T10:00:00Z",
  closedBy: null,
  closedAt: null,
  userUpdatedAt: "2024-03-02T09:30:00Z",
  customerWaitingSince: { time: "2024-03-01T10:00:00Z", friendly: "2 days ago", latestReplyFrom: "customer" },
  source: { type: "email", via: "customer" },
  tags: [{ id: 1, color: "#929499", tag: "vip" }, { id: 2, color: "none", tag: "shipping" }],
  cc: [],
  bcc: [],
  primaryCustomer: { id: 42, type: "customer", email: "customer@example.test", first: "Ana", last: "Lopez" },
  customFields: [{ id: 8, name: "Order", value: String(5000 + id), text: String(5000 + id) }],
  _embedded: { threads: [thread(id * 10 + 1, "customer"), thread(id * 10 + 2, "note"), thread(id * 10 + 3, "reply")] },
  _links: { self: { href: `https://api.helpscout.net/v2/conversations/${id}` }, mailbox: { href: "https://api.helpscout.net/v2/mailboxes/1" } }
})

/** A page of 50 conversations with three embedded threads each. */
export const conversationPage = (size = 50) => ({
  _embedded: { conversations: Array.from({ length: size }, (_, i) => conversation(i + 1)) },
  page: { size, totalElements: 500, totalPages: 10, number: 1 },
  _links: { self: { href: "https://api.helpscout.net/v2/conversations?page=1" } }
})

export const conversationRecord = conversation
