import fc from 'fast-check'
import AjvModule, { type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

// CommonJS modules: their default export sits on .default under NodeNext.
const Ajv = AjvModule.default
const addFormats = addFormatsModule.default

/**
 * The OpenAPI document as test data: every operation the service publishes,
 * arbitraries (fast-check) that generate values from its JSON schemas, and
 * validators for its request and response schemas. Used by the fuzz suite and
 * the authorization matrix, so routes added later are covered without edits.
 */

export type Schema = Record<string, any>
export interface OpenApiDoc { paths: Record<string, Record<string, any>>, components?: { schemas?: Record<string, Schema> } }

export interface Operation {
  method: string
  /** OpenAPI form: /v1/enterprises/{id} */
  path: string
  /** Fastify form: /v1/enterprises/:id */
  route: string
  secured: boolean
  pathParams: Array<{ name: string, schema: Schema }>
  queryParams: Array<{ name: string, schema: Schema, required: boolean }>
  headerParams: Array<{ name: string, schema: Schema, required: boolean }>
  /** The JSON request body schema, if the operation takes one. */
  body?: Schema
  bodyRequired: boolean
  /** Content types of the request body (multipart routes are not JSON). */
  bodyTypes: string[]
  responses: Record<string, any>
}

export async function loadOpenApi (app: FastifyInstance): Promise<OpenApiDoc> {
  const res = await app.inject('/docs/json')
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`)
  return asJsonSchema(res.json())
}

/** The document's OpenAPI 3.0 boolean exclusiveMinimum/Maximum back in JSON Schema form (numbers), for ajv and the arbitraries. */
function asJsonSchema<T> (node: T): T {
  if (Array.isArray(node)) return node.map(asJsonSchema) as T
  if (node == null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = asJsonSchema(v)
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (out[exclusive] === true) { out[exclusive] = out[bound]; delete out[bound] }
    if (out[exclusive] === false) delete out[exclusive]
  }
  return out as T
}

export function operations (doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const params: any[] = op.parameters ?? []
      const content = op.requestBody?.content ?? {}
      ops.push({
        method: method.toUpperCase(),
        path,
        route: path.replace(/\{(\w+)\}/g, ':$1'),
        secured: Array.isArray(op.security) && op.security.length > 0,
        pathParams: params.filter(p => p.in === 'path').map(p => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params.filter(p => p.in === 'query').map(p => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        headerParams: params.filter(p => p.in === 'header').map(p => ({ name: p.name.toLowerCase(), schema: p.schema ?? {}, required: p.required === true })),
        body: content['application/json']?.schema,
        bodyRequired: op.requestBody?.required === true,
        bodyTypes: Object.keys(content),
        responses: op.responses ?? {}
      })
    }
  }
  return ops
}

/** Follows a local $ref (#/components/schemas/X). */
export function deref (doc: OpenApiDoc, schema: Schema): Schema {
  let s = schema
  for (let i = 0; i < 10 && typeof s?.$ref === 'string'; i++) {
    const name = s.$ref.replace(/^#\/components\/schemas\//, '')
    s = doc.components?.schemas?.[name] ?? {}
  }
  return s
}

const SAFE_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('')

/** Count code points, as ajv does for minLength/maxLength. */
const codePoints = (s: string): number => [...s].length

/**
 * A fast-check arbitrary of values that satisfy the schema (as far as this
 * small generator understands JSON schema; the fuzz test checks that with
 * ajv and only relies on what ajv confirms).
 */
export function arbitraryFor (doc: OpenApiDoc, schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema)
  const base = baseArbitrary(doc, s, depth)
  return s.nullable === true ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base
}

function baseArbitrary (doc: OpenApiDoc, s: Schema, depth: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const)
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum)
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return fc.oneof(...(s.anyOf ?? s.oneOf).map((x: Schema) => arbitraryFor(doc, x, depth + 1)))
  if (Array.isArray(s.allOf)) {
    const merged = s.allOf.map((x: Schema) => deref(doc, x)).reduce((a: Schema, b: Schema) => ({
      ...a, ...b, properties: { ...a.properties, ...b.properties }, required: [...(a.required ?? []), ...(b.required ?? [])]
    }), {})
    return arbitraryFor(doc, merged, depth + 1)
  }
  const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type
  switch (type) {
    case 'string': return stringArbitrary(s)
    case 'integer': {
      const min = s.exclusiveMinimum != null ? Number(s.exclusiveMinimum) + 1 : s.minimum ?? -1000
      const max = s.exclusiveMaximum != null ? Number(s.exclusiveMaximum) - 1 : s.maximum ?? Math.max(min + 1000, 1000)
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1000
      const max = s.maximum ?? s.exclusiveMaximum ?? Math.max(min + 1000, 1000)
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum != null, maxExcluded: s.exclusiveMaximum != null })
    }
    case 'boolean': return fc.boolean()
    case 'array': {
      const min = s.minItems ?? 0
      const max = Math.max(min, Math.min(s.maxItems ?? 4, 4))
      const items = arbitraryFor(doc, s.items ?? {}, depth + 1)
      return s.uniqueItems === true
        ? fc.uniqueArray(items, { minLength: min, maxLength: max, selector: v => JSON.stringify(v) })
        : fc.array(items, { minLength: min, maxLength: max })
    }
    case 'object':
    case undefined: {
      if (type === undefined && s.properties == null) {
        return depth > 2 ? fc.constant('x') : fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean())
      }
      const props: Record<string, Schema> = s.properties ?? {}
      const required: string[] = (s.required ?? []).filter((k: string) => k in props)
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryFor(doc, v, depth + 1)]))
      const record = fc.record(model, { requiredKeys: required })
      if (Object.keys(props).length === 0 && s.additionalProperties != null && typeof s.additionalProperties === 'object') {
        return fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,11}$/), arbitraryFor(doc, s.additionalProperties, depth + 1), { maxKeys: 3 })
      }
      return record
    }
    default: return fc.constant(null)
  }
}

function stringArbitrary (s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0
  const max = s.maxLength ?? 40
  const fits = (v: string): boolean => codePoints(v) >= min && codePoints(v) <= max
  switch (s.format) {
    case 'uuid': return fc.uuid()
    case 'date': return fc.date({ min: new Date('1990-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10))
    case 'date-time': return fc.date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map(d => d.toISOString())
    case 'email': return fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.constantFrom('example.test', 'fuzz.example.cn')).map(([u, d]) => `${u}@${d}`)
  }
  if (typeof s.pattern === 'string') {
    let re: RegExp
    try { re = new RegExp(s.pattern, 'u') } catch { re = new RegExp(s.pattern) }
    return fc.stringMatching(re, { size: 'small' }).filter(fits)
  }
  const lo = Math.min(min, 40)
  return fc.string({ minLength: lo, maxLength: Math.max(lo, Math.min(max, 40)), unit: fc.constantFrom(...SAFE_CHARS, ' ', '中', '企', 'É', '-') }).filter(fits)
}

/** Rewrites local refs so that one ajv instance can resolve them against the document. */
function withDocRefs (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDocRefs)
  if (schema == null || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi${v}` : withDocRefs(v)
  }
  return out
}

export interface Validators {
  /** Validates a response body against the operation's declared schema for that status. */
  response: (op: Operation, status: number, body: unknown) => { ok: boolean, errors: string }
  /** Would the service's own validation accept this value? Parameters coerce like Fastify does; a body (`part` 'body') never coerces. */
  accepts: (schema: Schema, value: unknown, part?: 'body') => boolean
}

export function validators (doc: OpenApiDoc): Validators {
  const strictAjv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
  // Request checks mirror server/app.ts: coerceTypes 'array' and useDefaults for parameters; bodies never coerce.
  const requestAjv = new Ajv({ strict: false, coerceTypes: 'array', useDefaults: true, validateFormats: true })
  const bodyAjv = new Ajv({ strict: false, coerceTypes: false, useDefaults: true, validateFormats: true })
  for (const a of [strictAjv, requestAjv, bodyAjv]) {
    addFormats(a)
    a.addSchema({ $id: 'openapi', components: withDocRefs(doc.components ?? {}) } as any)
  }
  const responseCache = new Map<string, ValidateFunction>()
  const requestCache = new Map<Schema, ValidateFunction>()
  const bodyCache = new Map<Schema, ValidateFunction>()
  return {
    response (op, status, body) {
      const key = `${op.method} ${op.path} ${status}`
      let validate = responseCache.get(key)
      if (validate == null) {
        const schema = op.responses[String(status)]?.content?.['application/json']?.schema
        validate = strictAjv.compile(schema != null ? withDocRefs(schema) as Schema : {})
        responseCache.set(key, validate)
      }
      const ok = validate(body) as boolean
      return { ok, errors: ok ? '' : strictAjv.errorsText(validate.errors) }
    },
    accepts (schema, value, part) {
      const [ajv, cache] = part === 'body' ? [bodyAjv, bodyCache] : [requestAjv, requestCache]
      let validate = cache.get(schema)
      if (validate == null) {
        validate = ajv.compile(withDocRefs(schema) as Schema)
        cache.set(schema, validate)
      }
      return validate(value === undefined ? undefined : structuredClone(value)) as boolean
    }
  }
}
