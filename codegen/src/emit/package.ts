/**
 * IR → the generated files of a vendor package: vendor keys, models, one service per group, the
 * operation registry, the all-services layer, and the index.
 */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph"
import { propertyKey } from "../ir/names.ts"
import type * as IR from "../ir/types.ts"
import { jsDoc } from "./docs.ts"
import { type OperationNames, packageNames, type PackageNames } from "./naming.ts"
import { literal } from "./literal.ts"
import { createProject, emitFile, type Files } from "./project.ts"
import { references, schemaExpression, structFields, type SchemaContext } from "./schema.ts"

/** Where a package's generated files go and how it is named. */
export interface PackageTarget {
  /** The spec path relative to the repository root, for headers. */
  readonly source: string
  /** The package directory relative to the repository root, e.g. `packages/helpscout`. */
  readonly packageDir: string
}

interface Context {
  readonly api: IR.ApiIR
  readonly names: PackageNames
  readonly target: PackageTarget
  /** Models in a reference cycle with each model, for `Schema.suspend`. */
  readonly cycles: ReadonlyMap<string, ReadonlySet<string>>
}

const importDecl = (module: string, named: ReadonlyArray<string>, typeOnly = false): StatementStructures => ({
  kind: StructureKind.ImportDeclaration,
  moduleSpecifier: module,
  namedImports: [...new Set(named)].sort(),
  isTypeOnly: typeOnly
})

const constant = (name: string, initializer: string, docs?: string): StatementStructures => ({
  kind: StructureKind.VariableStatement,
  isExported: true,
  declarationKind: VariableDeclarationKind.Const,
  ...(docs === undefined || docs === "" ? {} : { docs: [docs] }),
  declarations: [{ name, initializer }]
})

const typeAlias = (name: string, type: string): StatementStructures => ({
  kind: StructureKind.TypeAlias,
  isExported: true,
  name,
  type
})

/** The text of a JSDoc block without its delimiters, for ts-morph's `docs`. */
const docText = (doc: IR.DocIR & { readonly summary?: string | undefined }, extra: ReadonlyArray<string> = []) => {
  const block = jsDoc(doc, "", extra)
  if (block === "") return ""
  return block.replace(/^\/\*\*\s?/, "").replace(/\s*\*\/\n$/, "").split("\n").map((line) => line.replace(/^ \* ?/, "")).join("\n")
    .trim()
}

const js = (value: unknown): string => JSON.stringify(value)


// -----------------------------------------------------------------------------
// Reference cycles
// -----------------------------------------------------------------------------

/** Tarjan's strongly connected components over model references. */
const referenceCycles = (models: ReadonlyArray<IR.ModelIR>): Map<string, Set<string>> => {
  const edges = new Map(models.map((model) => [model.name, [...references(model.schema)]]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const result = new Map<string, Set<string>>()
  let counter = 0
  const visit = (start: string) => {
    // Iterative, because real specs nest deeply enough to overflow the call stack.
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = edges.get(frame.node) ?? []
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!
        if (!edges.has(target)) continue
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, next: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = new Set<string>()
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.add(member)
        } while (member !== frame.node)
        const cyclic = component.size > 1 || (edges.get(frame.node) ?? []).includes(frame.node)
        for (const name of component) result.set(name, cyclic ? component : new Set())
      }
    }
  }
  for (const model of models) if (!index.has(model.name)) visit(model.name)
  return result
}

/** Models in dependency order (a model after the models it uses), stable otherwise. */
const orderModels = (models: ReadonlyArray<IR.ModelIR>, cycles: ReadonlyMap<string, ReadonlySet<string>>) => {
  const byName = new Map(models.map((model) => [model.name, model]))
  const done = new Set<string>()
  const ordered: Array<IR.ModelIR> = []
  const place = (start: IR.ModelIR) => {
    const work: Array<{ model: IR.ModelIR; deps: Array<string> }> = [{
      model: start,
      deps: [...references(start.schema)].filter((dep) => !cycles.get(start.name)?.has(dep))
    }]
    done.add(start.name)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const dep = frame.deps.shift()
      if (dep === undefined) {
        ordered.push(frame.model)
        work.pop()
        continue
      }
      const model = byName.get(dep)
      if (model === undefined || done.has(dep)) continue
      done.add(dep)
      work.push({ model, deps: [...references(model.schema)].filter((d) => !cycles.get(dep)?.has(d)) })
    }
  }
  for (const model of models) if (!done.has(model.name)) place(model)
  return ordered
}

// -----------------------------------------------------------------------------
// vendor.ts
// -----------------------------------------------------------------------------

const pathsLiteral = (paths: ReadonlyArray<IR.PathIR>) => js(paths)

const emitVendor = (context: Context): string => {
  const { api } = context
  const project = createProject()
  const title = api.title
  const custom = api.errors.custom
  const statements: Array<string | StatementStructures> = [
    importDecl("effect", ["Context", "Effect", "Layer", ...(custom.length > 0 ? ["Schema"] : [])]),
    importDecl("effect/http", ["HttpClient"], true),
    importDecl("effect/persistence", ["Redis"], true),
    importDecl("@vendor-sdk/core", [
      "Auth as CoreAuth",
      "Client as CoreClient",
      "Errors",
      "RateLimit as CoreRateLimit",
      "Retry as CoreRetry",
      "Vendor",
      ...(api.security.some((s) => s.kind === "oauth2") ? ["OAuth2"] : [])
    ])
  ]
  for (const error of custom) {
    statements.push(
      `${jsDoc({ description: error.description ?? `${error.tag}: HTTP ${error.status} from ${title}.` })}` +
        `export class ${error.tag} extends Schema.TaggedError<${error.tag}>()(${js(error.tag)}, Errors.responseFields) {}`
    )
  }
  statements.push(
    `/** Errors ${title} declares beyond core's. */\nexport type DeclaredError = ${
      custom.length === 0 ? "never" : custom.map((e) => e.tag).join(" | ")
    }`,
    `/** Every failure of a ${title} call. */\nexport type Failure = Errors.VendorError | DeclaredError`
  )
  const errors = api.errors
  const errorFields = [
    `message: ${pathsLiteral(errors.message)}`,
    ...(errors.code.length > 0 ? [`code: ${pathsLiteral(errors.code)}`] : []),
    ...(errors.correlationId.length > 0 ? [`correlationId: ${pathsLiteral(errors.correlationId)}`] : []),
    ...(errors.requestId.length > 0 ? [`requestId: ${pathsLiteral(errors.requestId)}`] : []),
    ...(errors.requestIdHeaders.length > 0 ? [`requestIdHeaders: ${js(errors.requestIdHeaders)}`] : []),
    ...(errors.fieldErrors === undefined ? [] : [
      `fieldErrors: { at: ${js(errors.fieldErrors.at)}, path: ${pathsLiteral(errors.fieldErrors.path)}, message: ${
        pathsLiteral(errors.fieldErrors.message)
      }, code: ${pathsLiteral(errors.fieldErrors.code)} }`
    ]),
    ...(custom.length === 0 ? [] : [
      `statuses: { ${custom.map((e) => `${e.status}: ${e.tag}`).join(", ")} }`,
      `fatal: [${custom.filter((e) => !e.retryable).map((e) => e.tag).join(", ")}]`
    ])
  ]
  const rate = api.rateLimit
  const secretHeaders = [
    ...new Set([
      ...api.security.flatMap((s) => s.kind === "apiKey" && s.in === "header" ? [s.paramName] : []),
      ...api.secretHeaders
    ])
  ]
  const vendorFields = [
    `name: ${js(api.vendor)}`,
    `title: ${js(title)}`,
    `server: ${serverLiteral(api.server)}`,
    `errors: { ${errorFields.join(", ")} }`,
    ...(rate === undefined ? [] : [
      `rateLimit: ${literal({ limit: rate.limit, window: rate.window, algorithm: rate.algorithm, cost: rate.cost, headers: rate.headers })}`
    ]),
    ...(api.retry === undefined ? [] : [`retry: ${literal(api.retry)}`]),
    ...(api.warning.length > 0 ? [`warning: ${pathsLiteral(api.warning)}`] : []),
    ...(secretHeaders.length > 0 ? [`secretHeaders: ${js(secretHeaders)}`] : [])
  ]
  const rateDoc = rate === undefined
    ? "No documented limit: requests are not limited unless a layer sets one."
    : `Default: ${rate.limit} per ${rate.window}${
      Object.keys(rate.cost).length > 0 ? ` (${Object.entries(rate.cost).map(([m, c]) => `${m} costs ${c}`).join(", ")})` : ""
    }.${rate.unconfirmed === undefined ? "" : ` Unconfirmed: ${rate.unconfirmed}`}`
  statements.push(
    constant(
      "vendor",
      `Vendor.make({\n${vendorFields.join(",\n")}\n})`,
      docText({ description: `${title} as core sees it: server, error format, documented limits.` })
    ),
    `/**\n * Where ${title} requests go. The default is ${api.server.url}.\n */\n` +
      `export class Endpoint extends Context.Reference<CoreClient.Endpoint>(${
        js(`@vendor-sdk/${api.vendor}/Endpoint`)
      }, {\ndefaultValue: () => ({})\n}) {\n` +
      `/** Sends requests elsewhere (\`{ baseUrl }\`, e.g. a loopback mock) or fills server variables. */\n` +
      `static readonly layer = (endpoint: CoreClient.Endpoint): Layer.Layer<never> => Layer.succeed(Endpoint, endpoint)\n}`,
    `/**\n * How ${title} calls are retried: core's rules (429 always; 5xx and transport failures when\n * repeating is safe), exponential backoff with jitter, honouring the vendor's wait headers.\n */\n` +
      `export class Retry extends Context.Reference<CoreRetry.Policy>(${js(`@vendor-sdk/${api.vendor}/Retry`)}, {\n` +
      `defaultValue: () => CoreRetry.make(vendor)\n}) {\n` +
      `/** Changes the policy; options left out keep the defaults. */\n` +
      `static readonly layer = (options: CoreRetry.Options = {}): Layer.Layer<never> => Layer.succeed(Retry, CoreRetry.make(vendor, options))\n` +
      `/** Never retries. */\n` +
      `static readonly disabled: Layer.Layer<never> = Layer.succeed(Retry, CoreRetry.disabled)\n}`,
    `/**\n * The client-side request budget of ${title}, per account. ${rateDoc}\n */\n` +
      `export class RateLimit extends Context.Reference<CoreRateLimit.Policy | undefined>(${
        js(`@vendor-sdk/${api.vendor}/RateLimit`)
      }, {\n` +
      `defaultValue: () => CoreRateLimit.make(vendor)\n}) {\n` +
      `/** Changes the budget; options left out keep the defaults. Each client keeps its budget in memory. */\n` +
      `static readonly layer = (options: CoreRateLimit.Options = {}): Layer.Layer<never> => Layer.succeed(RateLimit, CoreRateLimit.make(vendor, options))\n` +
      `/** Keeps the budget in Redis, shared by every process that uses the same account. */\n` +
      `static readonly layerRedis = (options: CoreRateLimit.Options & { readonly prefix?: string | undefined } = {}): Layer.Layer<never, never, Redis.Redis> =>\n` +
      `Layer.effect(RateLimit, Effect.map(CoreRateLimit.redisLimiter(options), (limiter) => CoreRateLimit.make(vendor, { ...options, limiter })))\n` +
      `/** No client-side limit; the vendor's 429s are still retried. */\n` +
      `static readonly disabled: Layer.Layer<never> = Layer.succeed(RateLimit, undefined)\n}`,
    authClass(context),
    `/**\n * The ${title} request pipeline: encoding, auth, rate limit, retry, decoding and tracing.\n * Built from the \`Auth\`, \`Endpoint\`, \`Retry\` and \`RateLimit\` in context.\n */\n` +
      `export class Client extends Context.Service<Client, CoreClient.Client>()(${js(`@vendor-sdk/${api.vendor}/Client`)}) {\n` +
      `static readonly layer: Layer.Layer<Client, never, Auth | HttpClient.HttpClient> = Layer.effect(\nClient,\n` +
      `Effect.gen(function*() {\nreturn yield* CoreClient.make({\nvendor,\nauth: yield* Auth,\nretry: yield* Retry,\n` +
      `rateLimit: yield* RateLimit,\nendpoint: yield* Endpoint\n})\n})\n)\n}`
  )
  return emitFile(project, "/vendor.ts", context.target.source, statements)
}

const serverLiteral = (server: IR.ServerIR) =>
  `{ url: ${js(server.url)}, variables: ${
    literal(Object.fromEntries(
      Object.entries(server.variables).map(([name, variable]) => [
        name,
        { default: variable.default, ...(variable.enum === undefined ? {} : { enum: variable.enum }) }
      ])
    ))
  } }`

const authClass = (context: Context): string => {
  const { api } = context
  const title = api.title
  const members: Array<string> = [
    `/** Any authenticator, e.g. \`CoreAuth.none\` against a mock that checks nothing. */\n` +
    `static readonly layer = (authenticator: CoreAuth.Authenticator): Layer.Layer<Auth> => Layer.succeed(Auth, authenticator)`
  ]
  if (api.security.some((s) => s.kind === "bearer" || s.kind === "oauth2")) {
    members.push(
      `/** A fixed bearer token. */\n` +
        `static readonly bearer = (token: CoreAuth.Secret): Layer.Layer<Auth> => Layer.succeed(Auth, CoreAuth.bearer(token))`
    )
  }
  const preamble: Array<string> = []
  const seen = new Set<string>()
  const keys = api.security.flatMap((scheme) => scheme.kind === "apiKey" && scheme.in === "header" ? [scheme] : [])
  // A computed key (a per-request signature) has no fixed value: the vendor package provides that layer.
  if (keys.length > 0 && keys.every((key) => !key.computed)) {
    members.push(
      `/** Fixed API keys in the ${keys.map((k) => `\`${k.paramName}\``).join(" and ")} header${keys.length > 1 ? "s" : ""}. */\n` +
        `static readonly apiKey = (keys: { ${
          keys.map((k) => `readonly ${propertyKey(k.paramName)}: CoreAuth.Secret`).join("; ")
        } }): Layer.Layer<Auth> => Layer.succeed(Auth, CoreAuth.headers(keys))`
    )
  }
  for (const scheme of api.security) {
    if (scheme.kind !== "oauth2" || seen.has("oauth2")) continue
    seen.add("oauth2")
    if (scheme.tokenUrl !== undefined) {
      preamble.push(
        `const tokenUrl: OAuth2.VendorTokenUrl = { vendor, url: ${js(scheme.tokenUrl)}, encoding: ${js(scheme.encoding)} }`
      )
      if (scheme.flows.includes("clientCredentials")) {
        members.push(
          `/**\n * OAuth2 client credentials at ${scheme.tokenUrl}. The token is fetched on first use and\n * renewed, single-flight, before it expires or after a 401.\n */\n` +
            `static readonly clientCredentials = (options: OAuth2.ClientOptions & { readonly scope?: string | undefined }): Layer.Layer<Auth, never, HttpClient.HttpClient> =>\n` +
            `Layer.effect(Auth, Effect.flatMap(Endpoint, (endpoint) => OAuth2.clientCredentials({ ...OAuth2.forVendor(tokenUrl, endpoint, options), scope: options.scope })))`
        )
      }
      if (scheme.flows.includes("authorizationCode")) {
        members.push(
          `/**\n * OAuth2 refresh-token grant. The refresh token comes from the \`TokenStore\` or, the first time,\n * from the options; each rotated one is stored before the new access token is used.\n */\n` +
            `static readonly refreshToken = (options: OAuth2.ClientOptions & { readonly refreshToken?: CoreAuth.Secret | undefined; readonly extra?: Readonly<Record<string, string>> | undefined }): Layer.Layer<Auth, never, HttpClient.HttpClient> =>\n` +
            `Layer.effect(Auth, Effect.flatMap(Endpoint, (endpoint) => OAuth2.refreshToken({ ...OAuth2.forVendor(tokenUrl, endpoint, options), refreshToken: options.refreshToken, extra: options.extra })))`,
          `/**\n * OAuth2 authorization-code grant: exchanges the code on first use, then refreshes.\n */\n` +
            `static readonly authorizationCode = (options: OAuth2.ClientOptions & { readonly code: CoreAuth.Secret; readonly redirectUri?: string | undefined; readonly extra?: Readonly<Record<string, string>> | undefined }): Layer.Layer<Auth, never, HttpClient.HttpClient> =>\n` +
            `Layer.effect(Auth, Effect.flatMap(Endpoint, (endpoint) => OAuth2.authorizationCode({ ...OAuth2.forVendor(tokenUrl, endpoint, options), code: options.code, redirectUri: options.redirectUri, extra: options.extra })))`
        )
      }
    }
    if (scheme.authorizationUrl !== undefined) {
      members.push(
        `/** The page to send a user to so they grant this application access. */\n` +
          `static readonly authorizeUrl = (options: { readonly clientId: string; readonly state?: string | undefined; readonly redirectUri?: string | undefined; readonly scope?: string | undefined }): string =>\n` +
          `OAuth2.authorizeUrl(${
            js(scheme.authorizationUrl)
          }, { client_id: options.clientId, state: options.state, redirect_uri: options.redirectUri, scope: options.scope })`
      )
    }
  }
  return [
    ...preamble,
    `/**\n * Credentials for ${title} calls. There is no default: provide one of these layers.\n */\n` +
    `export class Auth extends Context.Service<Auth, CoreAuth.Authenticator>()(${js(`@vendor-sdk/${api.vendor}/Auth`)}) {\n` +
    members.join("\n") + "\n}"
  ].join("\n\n")
}

// -----------------------------------------------------------------------------
// schemas.ts
// -----------------------------------------------------------------------------

const emitModels = (context: Context): string => {
  const project = createProject()
  const ordered = orderModels(context.api.models, context.cycles)
  const statements: Array<string | StatementStructures> = []
  for (const model of ordered) {
    const schemaContext: SchemaContext = {
      suspended: context.cycles.get(model.name) ?? new Set(),
      refName: context.names.model
    }
    const expression = schemaExpression(model.schema, schemaContext)
    const name = context.names.model(model.name)
    statements.push(constant(name, expression, docText(model)), typeAlias(name, `typeof ${name}.Type`))
  }
  return emitFile(project, "/schemas.ts", context.target.source, [
    importDecl("effect", ["Schema"]),
    ...(mentions(statements, "Codecs.") ? [importDecl("@vendor-sdk/core", ["Codecs"])] : []),
    ...statements
  ])
}

// -----------------------------------------------------------------------------
// <Group>.ts
// -----------------------------------------------------------------------------

const isSuccessStatus = (status: IR.ResponseIR["status"]) =>
  typeof status === "number" ? status >= 200 && status < 300 : status === "2XX"

interface Prepared {
  readonly operation: IR.OperationIR
  readonly names: OperationNames
  /** Success responses with the expression of their schema, if any. */
  readonly successes: ReadonlyArray<{ readonly response: IR.ResponseIR; readonly schema?: string; readonly type: string }>
  readonly successType: string
  readonly itemType?: string | undefined
  readonly hasInput: boolean
  readonly inputOptional: boolean
}

const emitGroup = (context: Context, group: IR.GroupIR): string => {
  const { api, names } = context
  const project = createProject()
  const serviceName = names.group(group.tag)
  const used = new Set<string>()
  const localNames = new Set<string>()
  const refName = (name: string) => names.model(name)
  const body: Array<string | StatementStructures> = []
  const schemaContext = (extra: Partial<SchemaContext> = {}): SchemaContext => ({
    suspended: new Set(),
    refName,
    used,
    ...extra
  })
  const operations = api.operations.filter((operation) => operation.group === group.tag)
  const prepared: Array<Prepared> = []

  for (const operation of operations) {
    const operationNames = names.operation(operation.id)
    // Params: path, query, header and cookie inputs, then the body.
    const fields: Array<IR.PropertyIR> = operation.params.map((param) => ({
      name: param.name,
      schema: param.schema,
      required: param.required,
      ...(param.description === undefined ? {} : { description: param.description }),
      ...(param.unconfirmed === undefined ? {} : { unconfirmed: param.unconfirmed }),
      ...(param.deprecated === undefined ? {} : { deprecated: param.deprecated })
    }))
    const paramsText = structFields(fields, schemaContext({ parameter: true }))
    let bodyFields = ""
    if (operation.body !== undefined) {
      const source = operation.body.source
      bodyFields = source.kind === "param"
        ? structFields(
          [{
            name: "body",
            schema: operation.body.schema,
            required: operation.body.required,
            description: operation.body.description ?? "The request body."
          }],
          schemaContext()
        )
        : structFields(source.fields.map((field) => ({ name: field.param, ...field })), schemaContext())
    }
    const merged = [paramsText, bodyFields].filter((text) => text !== "" && text !== "{}").map((text) =>
      text.slice(1, -1).trim()
    ).join(",\n")
    const requiredInput = operation.params.some((p) => p.required) ||
      (operation.body !== undefined &&
        (operation.body.source.kind === "param"
          ? operation.body.required
          : operation.body.source.fields.some((field) => field.required)))
    body.push(
      constant(operationNames.params, `Schema.Struct({\n${merged}\n})`, `The inputs of {@link ${operationNames.descriptor}}.`),
      typeAlias(operationNames.params, `typeof ${operationNames.params}.Type`)
    )
    localNames.add(operationNames.params)

    const successes: Array<{ response: IR.ResponseIR; schema?: string; type: string }> = []
    const inline = operation.responses.filter((r) => isSuccessStatus(r.status) && r.schema !== undefined && r.schema.kind !== "ref")
    for (const response of operation.responses.filter((r) => isSuccessStatus(r.status))) {
      if (response.schema === undefined) {
        successes.push({ response, type: "void" })
      } else if (response.schema.kind === "ref") {
        used.add(response.schema.name)
        const name = refName(response.schema.name)
        successes.push({ response, schema: name, type: name })
      } else {
        const name = inline.length > 1 ? `${operationNames.response}${response.status}` : operationNames.response
        const expression = schemaExpression(response.schema, schemaContext({ fromHeader: response.headers !== undefined }))
        body.push(
          constant(name, expression, response.description === undefined ? undefined : docText({ description: response.description })),
          typeAlias(name, `typeof ${name}.Type`)
        )
        localNames.add(name)
        successes.push({ response, schema: name, type: name })
      }
    }
    // A paginated list answered with no content (amoCRM's 204) decodes as an empty page, not void.
    const types = [...new Set(successes.map((s) => s.type))].filter((type) =>
      operation.pagination === undefined || type !== "void"
    )
    const nonVoid = types.filter((type) => type !== "void")
    const successType = types.length === 0 ? "void" : nonVoid.length > 0 && types.includes("void")
      ? [...nonVoid, "void"].join(" | ")
      : types.join(" | ")
    let itemType: string | undefined
    if (operation.pagination !== undefined) {
      const item = operation.pagination.item
      if (item.kind === "ref") {
        used.add(item.name)
        itemType = refName(item.name)
      } else {
        body.push(
          constant(operationNames.item, schemaExpression(item, schemaContext()), `One item of {@link ${operationNames.descriptor}}.`),
          typeAlias(operationNames.item, `typeof ${operationNames.item}.Type`)
        )
        localNames.add(operationNames.item)
        itemType = operationNames.item
      }
    }
    prepared.push({
      operation,
      names: operationNames,
      successes,
      successType,
      itemType,
      hasInput: merged.length > 0,
      inputOptional: !requiredInput
    })
    body.push(descriptor(context, operation, operationNames, successes, successType, itemType))
  }
  body.push(serviceClass(context, group, serviceName, prepared))

  const models = [...used].map(refName).filter((name) => !localNames.has(name)).sort()
  const coreImports = ["Operation", "Testing", ...(mentions(body, "Codecs.") ? ["Codecs"] : [])]
  return emitFile(project, `/${serviceName}.ts`, context.target.source, [
    importDecl("effect", ["Context", "Effect", "Layer", "Schema", ...(prepared.some((p) => p.itemType !== undefined) ? ["Stream"] : [])]),
    importDecl("@vendor-sdk/core", coreImports),
    importDecl("./vendor.ts", ["Client", "vendor"]),
    importDecl("./vendor.ts", ["DeclaredError", "Failure"], true),
    ...(models.length > 0 ? [importDecl("./schemas.ts", models)] : []),
    ...body
  ])
}

/** Whether any statement's text mentions `needle`, to import only what is used. */
const mentions = (statements: ReadonlyArray<string | StatementStructures>, needle: string): boolean =>
  statements.some((statement) =>
    typeof statement === "string"
      ? statement.includes(needle)
      : statement.kind === StructureKind.VariableStatement &&
        statement.declarations.some((declaration) => String(declaration.initializer ?? "").includes(needle))
  )

const descriptor = (
  context: Context,
  operation: IR.OperationIR,
  names: OperationNames,
  successes: ReadonlyArray<{ readonly response: IR.ResponseIR; readonly schema?: string }>,
  successType: string,
  itemType: string | undefined
): StatementStructures => {
  const fields: Array<string> = [
    "vendor",
    `operationId: ${js(operation.id)}`,
    `method: ${js(operation.method)}`,
    `path: ${js(operation.path)}`,
    ...(operation.server === undefined ? [] : [`server: ${serverLiteral(operation.server)}`]),
    `params: ${names.params}`,
    `parameters: [${
      operation.params.length === 0 ? "" : `\n${
        operation.params.map((p) =>
          literal({
            name: p.name,
            wireName: p.wireName,
            in: p.in,
            style: p.style,
            explode: p.explode,
            ...(p.allowReserved ? { allowReserved: true } : {})
          })
        )
          .join(",\n")
      }\n`
    }]`
  ]
  if (operation.body !== undefined) {
    const source = operation.body.source
    const sourceText = source.kind === "param"
      ? `{ _tag: "Param", name: "body" }`
      : literal({ _tag: "Fields", constant: source.constant, fields: source.fields.map((f) => ({ param: f.param, path: f.path })) })
    fields.push(
      `body: { contentType: ${js(operation.body.contentType)}, encoding: ${js(operation.body.encoding)}, source: ${sourceText} }`
    )
  }
  fields.push(
    `responses: [${
      successes.map(({ response, schema }) =>
        `{ status: ${js(response.status)}${schema === undefined ? "" : `, schema: ${schema}`}${
          response.headers === undefined ? "" : `, headers: ${literal(response.headers)}`
        } }`
      ).join(", ")
    }]`
  )
  const pagination = operation.pagination
  if (pagination !== undefined) {
    const parts = [
      `items: ${literal(pagination.items)}`,
      ...(pagination.page === undefined ? [] : [`page: ${literal(pagination.page)}`]),
      ...(pagination.offset === undefined ? [] : [`offset: ${literal(pagination.offset)}`]),
      ...(pagination.nextLink === undefined ? [] : [`nextLink: ${literal(pagination.nextLink)}`]),
      ...(pagination.totalPages === undefined ? [] : [`totalPages: ${literal(pagination.totalPages)}`]),
      ...(pagination.currentPage === undefined ? [] : [`currentPage: ${literal(pagination.currentPage)}`])
    ]
    fields.push(`pagination: { ${parts.join(", ")} }`)
  }
  const maker = pagination === undefined
    ? `Operation.make<${names.params}, ${successType}, DeclaredError>`
    : `Operation.makePaginated<${names.params}, ${successType}, DeclaredError, ${itemType}>`
  const route = `\`${operation.method} ${operation.path}\`${operation.variantOf === undefined ? "" : ` (a variant of {@link ${context.names.operation(operation.variantOf).descriptor}})`}`
  return constant(names.descriptor, `${maker}({\n${fields.join(",\n")}\n})`, docText(operation, [route]))
}

const serviceClass = (
  context: Context,
  group: IR.GroupIR,
  serviceName: string,
  prepared: ReadonlyArray<Prepared>
): string => {
  const { api } = context
  const signature = (p: Prepared) =>
    !p.hasInput ? "()" : p.inputOptional ? `(params?: ${p.names.params})` : `(params: ${p.names.params})`
  const argument = (p: Prepared) => !p.hasInput ? "{}" : p.inputOptional ? "params ?? {}" : "params"
  const parameter = (p: Prepared) => p.hasInput ? "(params)" : "()"
  const shape: Array<string> = []
  const implementation: Array<string> = []
  const withResponseShape: Array<string> = []
  const withResponseImplementation: Array<string> = []
  const streams: Array<string> = []
  for (const p of prepared) {
    const route = `\`${p.operation.method} ${p.operation.path}\``
    shape.push(
      `${jsDoc(p.operation, "", [route])}readonly ${propertyKey(p.names.method)}: ${signature(p)} => Effect.Effect<${p.successType}, Failure>`
    )
    implementation.push(`${propertyKey(p.names.method)}: ${parameter(p)} => client.execute(${p.names.descriptor}, ${argument(p)})`)
    withResponseShape.push(
      `readonly ${propertyKey(p.names.method)}: ${signature(p)} => Effect.Effect<Operation.WithResponse<${p.successType}>, Failure>`
    )
    withResponseImplementation.push(
      `${propertyKey(p.names.method)}: ${parameter(p)} => client.executeWithResponse(${p.names.descriptor}, ${argument(p)})`
    )
    if (p.itemType !== undefined) {
      shape.push(
        `/** Every item of {@link ${p.names.descriptor}}, fetched page by page as the stream is pulled. */\n` +
          `readonly ${propertyKey(p.names.streamMethod)}: ${signature(p)} => Stream.Stream<${p.itemType}, Failure>`
      )
      implementation.push(
        `${propertyKey(p.names.streamMethod)}: ${parameter(p)} => client.stream(${p.names.descriptor}, ${argument(p)})`
      )
      streams.push(`${propertyKey(p.names.streamMethod)}: ${js(p.names.method)}`)
    }
  }
  shape.push(
    `/** The methods above, returning the decoded value with the status, headers and raw body. */\n` +
      `readonly withResponse: {\n${withResponseShape.join("\n")}\n}`
  )
  implementation.push(`withResponse: {\n${withResponseImplementation.join(",\n")}\n}`)
  const description = group.description ?? `The ${group.tag} operations of ${api.title}.`
  return `${jsDoc({ description })}export class ${serviceName} extends Context.Service<${serviceName}, {\n${
    shape.join("\n")
  }\n}>()(${js(`@vendor-sdk/${api.vendor}/${serviceName}`)}) {\n` +
    `/** The service on the ${api.title} client. */\n` +
    `static readonly layer: Layer.Layer<${serviceName}, never, Client> = Layer.effect(\n${serviceName},\n` +
    `Effect.map(Client, (client) =>\n${serviceName}.of({\n${implementation.join(",\n")}\n}))\n)\n` +
    `/**\n * A test double: supplied methods run as given, others die naming the method. Streams derive\n * from their page method and \`withResponse\` from the plain method when not supplied.\n */\n` +
    `static readonly layerTest = (implementation: Testing.Implementation<${serviceName}["Service"]> = {}): Layer.Layer<${serviceName}> =>\n` +
    `Testing.layer(${serviceName}, implementation, {\nvendor: ${js(api.vendor)},\nservice: ${js(serviceName)},\n` +
    `operations: { ${
      prepared.map((p) => p.names.method === p.names.descriptor ? p.names.method : `${propertyKey(p.names.method)}: ${p.names.descriptor}`)
        .join(", ")
    } },\n` +
    `streams: { ${streams.join(", ")} }\n})\n}`
}

// -----------------------------------------------------------------------------
// operations.ts, layer.ts, index.ts
// -----------------------------------------------------------------------------

const emitRegistry = (context: Context): string => {
  const { api, names } = context
  const imports: Array<StatementStructures> = api.groups.map((group) =>
    importDecl(
      `./${names.group(group.tag)}.ts`,
      api.operations.filter((o) => o.group === group.tag).map((o) => names.operation(o.id).descriptor)
    )
  )
  const entries = api.operations.map((o) => {
    const descriptorName = names.operation(o.id).descriptor
    return descriptorName === o.id ? descriptorName : `${propertyKey(o.id)}: ${descriptorName}`
  })
  return emitFile(createProject(), "/operations.ts", context.target.source, [
    ...imports,
    constant(
      "operations",
      `{\n${entries.join(",\n")}\n}`,
      `Every operation of the ${api.title}, by operationId. Each is a descriptor for\n\`Operation.buildRequest\` and \`Operation.decodeResponse\` of @vendor-sdk/core.`
    )
  ])
}

const emitLayer = (context: Context): string => {
  const { api, names } = context
  const services = api.groups.map((group) => names.group(group.tag))
  return emitFile(createProject(), "/layer.ts", context.target.source, [
    importDecl("effect", ["Layer"]),
    importDecl("./vendor.ts", ["Client"]),
    ...services.map((service) => importDecl(`./${service}.ts`, [service])),
    constant(
      "layer",
      `Layer.mergeAll(\n${services.map((s) => `${s}.layer`).join(",\n")}\n).pipe(Layer.provideMerge(Client.layer))`,
      `Every ${api.title} service and the \`Client\` they share. Provide an \`Auth\` layer and an \`HttpClient\`.`
    )
  ])
}

const emitIndex = (context: Context): string => {
  const { api, names } = context
  return emitFile(createProject(), "/index.ts", context.target.source, [
    `export * from "./vendor.ts"`,
    `export * from "./schemas.ts"`,
    ...api.groups.map((group) => `export * from "./${names.group(group.tag)}.ts"`),
    `export { operations } from "./operations.ts"`,
    `export { layer } from "./layer.ts"`
  ])
}

/** Every generated file of an OpenAPI package, by path relative to the repository root. */
export const emitOpenApiPackage = (api: IR.ApiIR, target: PackageTarget): Files => {
  const cycles = referenceCycles(api.models)
  const context: Context = { api, names: packageNames(api), target, cycles }
  const dir = `${target.packageDir}/src/generated`
  const files: Files = new Map()
  files.set(`${dir}/vendor.ts`, emitVendor(context))
  files.set(`${dir}/schemas.ts`, emitModels(context))
  for (const group of api.groups) files.set(`${dir}/${context.names.group(group.tag)}.ts`, emitGroup(context, group))
  files.set(`${dir}/operations.ts`, emitRegistry(context))
  files.set(`${dir}/layer.ts`, emitLayer(context))
  files.set(`${dir}/index.ts`, emitIndex(context))
  return files
}
