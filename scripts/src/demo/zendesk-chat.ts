/**
 * Zendesk Chat: the echo bot of the Conversations API docs (answer every visitor message with its
 * own text) against the loopback mock, through an end of session (EOS) that the client recovers
 * from by starting a new agent session and subscribing again.
 */
import { EchoBot } from "@vendor-sdk/zendesk-chat/examples"
import { Report } from "./report.ts"

export const run = Report.use((report) => EchoBot.demo(report.line))
