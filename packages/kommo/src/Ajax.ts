/**
 * The raw AJAX frontend requests the wrapper supports: a form-encoded POST to `/ajax/<path>` with
 * `X-Requested-With: XMLHttpRequest`, through the same auth, rate limit and retry as the API. These
 * are undocumented web-UI internals: treat them as unstable.
 *
 * ```ts
 * Kommo.Ajax.request("contacts/list", { filter: { cf: { 123: { from: "01.01.2024" } } }, useFilter: "y", element_type: 1, json: 1, page: 1 })
 * ```
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { FrontendAjax } from "./generated/FrontendAjax.ts"
import type { AjaxForm } from "./generated/schemas.ts"

/** Posts `form` (bracket-encoded like PHP's `http_build_query`) to `/ajax/<path>`. */
export const request = (path: string, form: AjaxForm) =>
  Effect.flatMap(FrontendAjax, (ajax) => ajax.ajaxRequest({ path: path.replace(/^\/+/, ""), xRequestedWith: "XMLHttpRequest", body: form }))
