/**
 * Turns on effect's Schema JIT compiler for every Schema, the generated ones included: decoders are
 * compiled to JavaScript on first use instead of interpreted (about 13× faster decoding of parsed
 * JSON; see `pnpm bench`). Import it once, first, at the entry point of a program:
 *
 * ```ts
 * import "@vendor-sdk/core/jit"
 * ```
 *
 * It relies on `new Function`; where a content security policy forbids that, effect falls back to
 * the interpreter.
 *
 * @since 0.1.0
 */
import "effect/schema/SchemaJITCompiler/enable"
