import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { TokenStore } from "@vendor-sdk/core"

const tokens: TokenStore.TokenSet = {
  accessToken: Redacted.make("access-1"),
  refreshToken: Redacted.make("refresh-1"),
  expiresAt: 1_700_000_000_000
}

describe("TokenStore.layerFileSystem", () => {
  it.live("keeps tokens in files only their owner can read, in a directory only the owner can enter", () =>
    Effect.gen(function*() {
      const dir = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "tokens-")), "store")
      const store = yield* TokenStore.TokenStore.pipe(
        Effect.provide(TokenStore.TokenStore.layerFileSystem(dir).pipe(Layer.provide(NodeFileSystem.layer)))
      )
      yield* store.set("helpscout:default", tokens)
      const file = Path.join(dir, `${encodeURIComponent("helpscout:default")}.json`)
      expect(Fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(Fs.statSync(dir).mode & 0o777).toBe(0o700)
      const read = Option.getOrThrow(yield* store.get("helpscout:default"))
      expect(Redacted.value(read.refreshToken!)).toBe("refresh-1")
      expect(String(read.accessToken)).toBe("<redacted>")
      expect(yield* store.get("other")).toEqual(Option.none())
      yield* store.remove("helpscout:default")
      expect(Fs.existsSync(file)).toBe(false)
    }))

  it.live("leaves the mode of a directory it did not create alone", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tokens-"))
      Fs.chmodSync(dir, 0o755)
      const store = yield* TokenStore.TokenStore.pipe(
        Effect.provide(TokenStore.TokenStore.layerFileSystem(dir).pipe(Layer.provide(NodeFileSystem.layer)))
      )
      yield* store.set("helpscout:default", tokens)
      expect(Fs.statSync(dir).mode & 0o777).toBe(0o755)
      expect(Fs.statSync(Path.join(dir, `${encodeURIComponent("helpscout:default")}.json`)).mode & 0o777).toBe(0o600)
    }))

  it.live("fails with TokenStoreError and leaves no temporary file when the write cannot complete", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tokens-"))
      const store = yield* TokenStore.TokenStore.pipe(
        Effect.provide(TokenStore.TokenStore.layerFileSystem(dir).pipe(Layer.provide(NodeFileSystem.layer)))
      )
      // A directory where the token file should go makes the final rename fail.
      Fs.mkdirSync(Path.join(dir, `${encodeURIComponent("helpscout:default")}.json`))
      Fs.writeFileSync(Path.join(dir, `${encodeURIComponent("helpscout:default")}.json`, "occupied"), "")
      const error = yield* Effect.flip(store.set("helpscout:default", tokens))
      expect(error._tag).toBe("TokenStoreError")
      expect(Fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
    }))
})
