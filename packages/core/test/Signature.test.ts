import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import { Signature } from "@vendor-sdk/core"

const secret = "s3cret"
const body = JSON.stringify({ id: 1, subject: "Hello" })
// Computed independently of the code under test.
const helpScoutSignature = Crypto.createHmac("sha1", secret).update(body).digest("base64")

describe("Signature", () => {
  it.effect("accepts a correct HMAC-SHA1 base64 signature", () =>
    Signature.verifyHmac({ vendor: "t", algorithm: "sha1", encoding: "base64", secret, message: body, signature: helpScoutSignature }))

  it.effect("rejects a wrong signature with reason mismatch", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Signature.verifyHmac({ vendor: "t", algorithm: "sha1", encoding: "base64", secret, message: body + " ", signature: helpScoutSignature })
      )
      expect(error.reason).toBe("mismatch")
    }))

  it.effect("rejects a missing signature", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Signature.verifyHmac({ vendor: "t", algorithm: "sha1", encoding: "base64", secret, message: body, signature: undefined })
      )
      expect(error.reason).toBe("missing")
    }))

  it.effect("makes timestamp tokens byte-exact for a fixed clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const token = yield* Signature.timestampToken(secret)
      const expected = Buffer.from(`1700000000.${Crypto.createHmac("sha256", secret).update("1700000000").digest("hex")}`).toString("base64")
      expect(token).toBe(expected)
    }))

  it.effect("rejects stale and future timestamp tokens", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const token = yield* Signature.timestampToken(secret)
      yield* Signature.verifyTimestampToken({ vendor: "t", secret, token })
      yield* TestClock.adjust("16 minutes")
      const stale = yield* Effect.flip(Signature.verifyTimestampToken({ vendor: "t", secret, token }))
      expect(stale.reason).toBe("stale")
      yield* TestClock.setTime(1_700_000_000_000 - 5 * 60_000)
      const future = yield* Effect.flip(Signature.verifyTimestampToken({ vendor: "t", secret, token }))
      expect(future.reason).toBe("future")
    }))
})
