/** The demo's report: what each vendor's program did, line by line. */
import { Context, Effect, Layer } from "effect"

export class Report extends Context.Service<Report, {
  readonly line: (text: string) => Effect.Effect<void>
}>()("demo/Report") {
  static readonly layer = (vendor: string) =>
    Layer.succeed(Report, {
      line: (text: string) => Effect.sync(() => console.log(`  ${vendor.padEnd(12)} ${text}`))
    })
}

export const line = (text: string) => Report.use((report) => report.line(text))
