#!/usr/bin/env node
/**
 * vendor-sdk-codegen
 *
 *   generate [--check] [vendor ...]       regenerate the packages (all by default); --check compares instead
 *   generate --spec <file> --out <dir>    generate one spec (OpenAPI, or a GraphQL schema.graphql) into a
 *                                         scratch directory (robustness runs)
 *   spec:pull <vendor> --token <token> [--url <url>] [--out <file>]
 *                                         rewrite a GraphQL vendor's SDL from its live introspection
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as YAML from "yaml"
import { generateTarget } from "./generate.ts"
import { pullSchema } from "./load/graphql.ts"
import { targets } from "./targets.ts"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

const listFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => [])
  const nested = await Promise.all(entries.map(async (entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? listFiles(full) : [full]
  }))
  return nested.flat()
}

/** Directories owned by the generator: any file in them that it did not produce is stale. */
const generatedDirs = (packageDir: string) => [`${packageDir}/src/generated`, `${packageDir}/test/generated`]

const generate = async (args: ReadonlyArray<string>) => {
  const check = args.includes("--check")
  const specIndex = args.indexOf("--spec")
  if (specIndex >= 0) {
    const spec = path.resolve(args[specIndex + 1] ?? "")
    const out = path.resolve(args[args.indexOf("--out") + 1] ?? "generated-out")
    const vendor = args.includes("--vendor") ? args[args.indexOf("--vendor") + 1]! : path.basename(spec).split(".")[0]!
    const started = performance.now()
    const kind = spec.endsWith(".graphql") ? "graphql" : "openapi"
    const result = await generateTarget("/", { vendor, kind, spec, packageDir: out }, { oracle: false, strict: false })
    for (const [file, text] of result.files) {
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, text)
    }
    console.log(
      `${spec}: ${result.counts.operations} operations, ${result.counts.models} models, ${result.files.size} files in ${
        Math.round(performance.now() - started)
      } ms (load ${Math.round(result.timings.load)}, validate ${Math.round(result.timings.validate)}, normalise ${
        Math.round(result.timings.normalise)
      }, emit ${Math.round(result.timings.emit)})`
    )
    return 0
  }
  const wanted = args.filter((arg) => !arg.startsWith("--"))
  const unknown = wanted.filter((name) => !targets.some((target) => target.vendor === name))
  if (unknown.length > 0) {
    console.error(`Unknown vendor(s): ${unknown.join(", ")}. Known: ${targets.map((t) => t.vendor).join(", ")}`)
    return 2
  }
  const selected = targets.filter((target) => wanted.length === 0 || wanted.includes(target.vendor))
  const drift: Array<string> = []
  const started = performance.now()
  for (const target of selected) {
    const t0 = performance.now()
    const result = await generateTarget(root, target)
    const produced = new Set([...result.files.keys()].map((file) => path.join(root, file)))
    const existing = (await Promise.all(generatedDirs(target.packageDir).map((dir) => listFiles(path.join(root, dir))))).flat()
    for (const [file, text] of result.files) {
      const full = path.join(root, file)
      const current = await fs.readFile(full, "utf8").catch(() => undefined)
      if (current === text) continue
      if (check) drift.push(`${current === undefined ? "missing" : "differs"}: ${file}`)
      else {
        await fs.mkdir(path.dirname(full), { recursive: true })
        await fs.writeFile(full, text)
      }
    }
    for (const file of existing.filter((file) => !produced.has(file))) {
      if (check) drift.push(`stale: ${path.relative(root, file)}`)
      else await fs.rm(file)
    }
    console.log(
      `${target.vendor}: ${result.counts.operations} operations, ${result.counts.models} models, ${result.files.size} files in ${
        Math.round(performance.now() - t0)
      } ms`
    )
  }
  console.log(`${check ? "checked" : "generated"} ${selected.length} package(s) in ${Math.round(performance.now() - started)} ms`)
  if (drift.length > 0) {
    console.error(`Generated files differ from the specs; run \`pnpm generate\`:\n  ${drift.join("\n  ")}`)
    return 1
  }
  return 0
}

const option = (args: ReadonlyArray<string>, name: string): string | undefined => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}

/** Rewrites a GraphQL target's SDL from the live endpoint (its protocol file's HTTP endpoint unless `--url`). */
const specPull = async (args: ReadonlyArray<string>) => {
  const vendor = args[0]
  const target = targets.find((t) => t.vendor === vendor && t.kind === "graphql")
  const token = option(args, "--token")
  if (target === undefined || token === undefined) {
    const known = targets.filter((t) => t.kind === "graphql").map((t) => t.vendor).join(", ")
    console.error(`Usage: spec:pull <vendor> --token <access token> [--url <endpoint>] [--out <file>]. GraphQL vendors: ${known}`)
    return 2
  }
  const specFile = path.join(root, target.spec)
  const url = option(args, "--url") ??
    YAML.parse(await fs.readFile(path.join(path.dirname(specFile), "protocol.yaml"), "utf8")).endpoints.http.url
  const out = path.resolve(option(args, "--out") ?? specFile)
  await fs.writeFile(out, await pullSchema({ url, token }))
  console.log(`${vendor}: wrote the schema of ${url} to ${path.relative(process.cwd(), out)}; run \`pnpm generate\``)
  return 0
}

const commands: Record<string, (args: ReadonlyArray<string>) => Promise<number>> = { generate, "spec:pull": specPull }
const [command = "generate", ...rest] = process.argv.slice(2)
const run = commands[command]
if (run === undefined) {
  console.error(
    `Unknown command ${command}. Usage: generate [--check] [vendor ...] | generate --spec <file> --out <dir> | spec:pull <vendor> --token <token>`
  )
  process.exit(2)
}
process.exitCode = await run(rest).catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error)
  return 1
})
