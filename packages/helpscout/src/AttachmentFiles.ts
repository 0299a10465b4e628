/**
 * Attachment bodies for `createAttachment` and thread creates, from bytes or a file: the MIME type is
 * detected and the content base64-encoded, as Help Scout expects.
 *
 * @since 0.1.0
 */
import { Effect, FileSystem, Option } from "effect"
import { Base64 } from "effect/encoding"
import { Mime } from "effect/http"
import type { AttachmentCreate } from "./generated/schemas.ts"

const signatures: ReadonlyArray<readonly [ReadonlyArray<number>, string]> = [
  [[0x89, 0x50, 0x4e, 0x47], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif"],
  [[0x25, 0x50, 0x44, 0x46], "application/pdf"],
  [[0x50, 0x4b, 0x03, 0x04], "application/zip"]
]

/** The MIME type of a file, from its name, else from its first bytes, else `application/octet-stream`. */
export const mimeType = (fileName: string, data: Uint8Array): string =>
  Option.getOrElse(Mime.getType(fileName), () =>
    signatures.find(([magic]) => magic.every((byte, i) => data[i] === byte))?.[1] ?? "application/octet-stream")

/** An attachment body from bytes. */
export const fromBytes = (
  fileName: string,
  data: Uint8Array,
  options: { readonly mimeType?: string | undefined } = {}
): AttachmentCreate => ({
  fileName,
  mimeType: options.mimeType ?? mimeType(fileName, data),
  data: Base64.encode(data)
})

/** An attachment body from a file on disk; the file name sent is the path's last segment. */
export const fromFile = Effect.fnUntraced(function*(
  path: string,
  options: { readonly fileName?: string | undefined; readonly mimeType?: string | undefined } = {}
) {
  const fs = yield* FileSystem.FileSystem
  const data = yield* fs.readFile(path)
  return fromBytes(options.fileName ?? path.split(/[\\/]/).pop() ?? path, data, options)
})
