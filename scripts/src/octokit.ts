/**
 * Robustness run: generate a client from GitHub's REST description, the largest public OpenAPI 3.x
 * document we know of, and check that the output type-checks. The spec comes from the npm package
 * @octokit/openapi, fetched on demand (it unpacks to ~385 MB, so it is not a dependency): only
 * `generated/api.github.com.json` is extracted. The output goes to a temporary folder.
 *
 *   pnpm generate:octokit [--keep] [--version 23.0.2] [--no-typecheck]
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { generateTarget } from "@vendor-sdk/codegen/generate"

const args = process.argv.slice(2)
const version = args.includes("--version") ? args[args.indexOf("--version") + 1] : "23.0.2"
const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")
const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vendor-sdk-octokit-"))

const step = <A>(label: string, run: () => A): A => {
  const started = performance.now()
  const result = run()
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`)
  return result
}

try {
  const tarball = step(`npm pack @octokit/openapi@${version}`, () =>
    execFileSync("npm", ["pack", `@octokit/openapi@${version}`, "--silent", "--pack-destination", work], { encoding: "utf8" }).trim()
  )
  step("extract generated/api.github.com.json", () =>
    execFileSync("tar", ["-xzf", Path.join(work, tarball), "-C", work, "package/generated/api.github.com.json"])
  )
  const spec = Path.join(work, "package/generated/api.github.com.json")
  console.log(`spec: ${(Fs.statSync(spec).size / 1e6).toFixed(1)} MB`)
  const out = Path.join(work, "out")
  const started = performance.now()
  const result = await generateTarget("/", { vendor: "github", kind: "openapi", spec, packageDir: out }, { strict: false })
  const total = Math.round(performance.now() - started)
  for (const [file, text] of result.files) {
    Fs.mkdirSync(Path.dirname(file), { recursive: true })
    Fs.writeFileSync(file, text)
  }
  const t = result.timings
  console.log(
    `generated ${result.ir.operations.length} operations, ${result.ir.models.length} models, ${result.files.size} files in ${total} ms ` +
      `(load ${Math.round(t.load)}, validate ${Math.round(t.validate)}, normalise ${Math.round(t.normalise)}, emit ${Math.round(t.emit)})`
  )
  if (!args.includes("--no-typecheck")) {
    // Resolve effect and @vendor-sdk/core from this repository.
    Fs.symlinkSync(Path.join(root, "node_modules"), Path.join(out, "node_modules"))
    Fs.writeFileSync(Path.join(out, "package.json"), JSON.stringify({ type: "module" }))
    Fs.writeFileSync(
      Path.join(out, "tsconfig.json"),
      JSON.stringify({
        extends: Path.join(root, "tsconfig.base.json"),
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          incremental: false,
          noUnusedLocals: false,
          paths: { "@vendor-sdk/core": [Path.join(root, "packages/core/src/index.ts")] }
        },
        include: ["src"]
      })
    )
    step("type-check the output (tsc)", () =>
      execFileSync(Path.join(root, "node_modules/.bin/tsc"), ["-p", Path.join(out, "tsconfig.json")], { stdio: "inherit" })
    )
  }
} finally {
  if (args.includes("--keep")) console.log(`kept ${work}`)
  else Fs.rmSync(work, { recursive: true, force: true })
}
