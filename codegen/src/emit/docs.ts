/** JSDoc from spec descriptions. */
import type * as IR from "../ir/types.ts"

const clean = (text: string) => text.replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n").trim()

const width = 100

/** Wraps prose at word boundaries; code blocks, lists and tables keep their lines. */
const wrap = (text: string): Array<string> => {
  const out: Array<string> = []
  let fenced = false
  for (const line of text.split("\n")) {
    if (line.trimStart().startsWith("```")) fenced = !fenced
    if (fenced || line.length <= width || /^\s*([-*|>]|\d+\.)\s/.test(line)) {
      out.push(line)
      continue
    }
    let current = ""
    for (const word of line.split(/\s+/)) {
      if (current.length > 0 && current.length + 1 + word.length > width) {
        out.push(current)
        current = word
      } else {
        current = current.length === 0 ? word : `${current} ${word}`
      }
    }
    if (current.length > 0) out.push(current)
  }
  return out
}

/** The lines of a doc comment: summary, description, extra lines, unconfirmed remark, deprecation. */
export const docLines = (
  doc: IR.DocIR & { readonly summary?: string | undefined },
  extra: ReadonlyArray<string> = []
): Array<string> => {
  const blocks: Array<string> = []
  if (doc.summary !== undefined && doc.summary.length > 0) blocks.push(clean(doc.summary))
  if (doc.description !== undefined && doc.description.length > 0 && doc.description !== doc.summary) {
    blocks.push(clean(doc.description))
  }
  blocks.push(...extra)
  if (doc.unconfirmed !== undefined) blocks.push(`@remarks Unconfirmed: ${clean(doc.unconfirmed)}`)
  if (doc.deprecated === true) blocks.push("@deprecated")
  return wrap(blocks.join("\n\n"))
}

/** A `/** … *\/` block with a trailing newline, or nothing when there is nothing to say. */
export const jsDoc = (
  doc: IR.DocIR & { readonly summary?: string | undefined },
  indent = "",
  extra: ReadonlyArray<string> = []
): string => {
  const lines = docLines(doc, extra).filter((line, index, all) => line.length > 0 || (index > 0 && index < all.length - 1))
  if (lines.length === 0) return ""
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`
  return `${indent}/**\n${lines.map((line) => `${indent} *${line.length > 0 ? ` ${line}` : ""}`).join("\n")}\n${indent} */\n`
}
