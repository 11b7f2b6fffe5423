import t from 'tap'
import fc from 'fast-check'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, registerFirm, createStaff, adminToken, auth } from './helper.ts'
import { arbitraryFor, deref, loadOpenApi, operations, validators, type OpenApiDoc, type Operation, type Schema, type Validators } from './openapi.ts'

// Input fuzzing driven by the OpenAPI document (OWASP API8:2023, ASVS V5):
// for every published route, valid and mutated params, queries, headers and
// bodies. Never a 5xx; input the service's own validation must refuse gets a
// 4xx; every response matches the schema declared for its status; no error
// shows a stack or SQL. Routes are discovered from /docs/json, so routes added
// later are fuzzed without editing this file. Deterministic: fixed seed, fixed
// number of runs per route (FUZZ_RUNS, default 10 valid + 10 mutated).

t.setTimeout(900_000)

const SEED = 20261127
const RUNS = Number(process.env.FUZZ_RUNS ?? 10)
/** Logging out would end the token the rest of the run uses; tokens are tested in security-tokens. */
const NOT_FUZZED = new Set(['POST /v1/auth/logout'])
/** FUZZ_ONLY=<regex> narrows the run to matching "METHOD /path" operations (debugging). */
const ONLY = process.env.FUZZ_ONLY != null ? new RegExp(process.env.FUZZ_ONLY) : undefined
const selected = (op: Operation): boolean => !NOT_FUZZED.has(`${op.method} ${op.path}`) && (ONLY == null || ONLY.test(`${op.method} ${op.path}`))

/** Values that break naive code: NUL, SQL, scripts, path traversal, huge and odd numbers, wrong shapes. */
const NASTY: unknown[] = [
  '\u0000', 'nul\u0000byte', 'x'.repeat(70_000), "'; drop table users; --", "1' or '1'='1", '" OR ""="',
  '<script>alert(1)</script>', '../../../etc/passwd', '%00', '\uD800', '😀'.repeat(20), '', ' ',
  -1, 0, 1e308, -1e308, 2 ** 53 + 1, 1e23, 1.5, true, false, null, [], {}, { $gt: '' },
  ['a', 'b'], '9'.repeat(400), '2026-02-30', 'NaN', 'Infinity', '-0', '1e400', '0x1F'
]
const SQL_FRAGMENTS = ["'; drop table users; --", '1 or 1=1', 'name desc; delete from audit_log', '(select pg_sleep(10))', "id'--", '*', 'tier,program;--']

/** Error bodies never show internals. */
const LEAK = /\bat [^\n]+\.(ts|js|mjs):\d+|node_modules|\bselect\b[^"]*\bfrom\b|insert into|duplicate key|violates|constraint "|relation "|syntax error at/i

interface FuzzRequest {
  params: Record<string, unknown>
  query: Record<string, unknown>
  headers: Record<string, string>
  body: unknown
}

type Role = 'enterprise' | 'officer' | 'reviewer' | 'analyst' | 'admin' | 'district_officer'

function urlOf (op: Operation, req: FuzzRequest): string {
  // Buffer round trip: lone surrogates become U+FFFD, as they would on the wire.
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(Buffer.from(String(req.params[name])).toString()))
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(req.query)) {
    if (v === undefined) continue
    if (Array.isArray(v)) for (const x of v) qs.append(k, typeof x === 'object' ? JSON.stringify(x) : String(x))
    else qs.append(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))
  }
  const q = qs.toString()
  return q === '' ? path : `${path}?${q}`
}

function requestArbitrary (doc: OpenApiDoc, op: Operation, knownIds: string[]): fc.Arbitrary<FuzzRequest> {
  const params = Object.fromEntries(op.pathParams.map(p => {
    const s = deref(doc, p.schema)
    const arb = s.format === 'uuid' && knownIds.length > 0 && !op.path.startsWith('/v1/users')
      ? fc.oneof(fc.uuid(), fc.constantFrom(...knownIds))
      : arbitraryFor(doc, s)
    return [p.name, arb]
  }))
  const query = fc.record(
    Object.fromEntries(op.queryParams.map(p => [p.name, arbitraryFor(doc, p.schema)])),
    { requiredKeys: op.queryParams.filter(p => p.required).map(p => p.name) }
  )
  const headers = fc.record(
    Object.fromEntries(op.headerParams.map(h => [h.name,
      h.name === 'if-match' ? fc.integer({ min: 0, max: 5 }).map(String) : arbitraryFor(doc, h.schema).map(v => String(v))])),
    { requiredKeys: op.headerParams.filter(h => h.required).map(h => h.name) }
  ) as fc.Arbitrary<Record<string, string>>
  const body = op.body != null ? arbitraryFor(doc, op.body) : fc.constant(undefined)
  return fc.record({ params: fc.record(params), query, headers, body })
}

/** One mutation of a valid request: a field dropped, added or replaced, a param or query value replaced, the whole body replaced. */
function mutantArbitrary (doc: OpenApiDoc, op: Operation, valid: fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> {
  const nasty = fc.constantFrom(...NASTY)
  const kinds: Array<fc.Arbitrary<FuzzRequest>> = []
  if (op.body != null) {
    const body = deref(doc, op.body)
    const props = Object.keys(body.properties ?? {})
    const required: string[] = body.required ?? []
    kinds.push(fc.tuple(valid, nasty).map(([r, n]) => ({ ...r, body: n })))
    kinds.push(valid.map(r => ({ ...r, body: { ...(r.body as object), __unexpected: 'field' } })))
    if (props.length > 0) {
      kinds.push(fc.tuple(valid, fc.constantFrom(...props), nasty).map(([r, k, n]) => ({ ...r, body: { ...(r.body as object), [k]: n } })))
    }
    if (required.length > 0) {
      kinds.push(fc.tuple(valid, fc.constantFrom(...required)).map(([r, k]) => {
        const b = { ...(r.body as Record<string, unknown>) }
        delete b[k]
        return { ...r, body: b }
      }))
    }
  }
  if (op.pathParams.length > 0) {
    kinds.push(fc.tuple(valid, fc.constantFrom(...op.pathParams.map(p => p.name)), nasty).map(([r, k, n]) => ({ ...r, params: { ...r.params, [k]: n } })))
  }
  if (op.queryParams.length > 0) {
    kinds.push(fc.tuple(valid, fc.constantFrom(...op.queryParams.map(p => p.name)), nasty).map(([r, k, n]) => ({ ...r, query: { ...r.query, [k]: n } })))
  }
  kinds.push(valid.map(r => ({ ...r, query: { ...r.query, unexpected: '1' } })))
  return fc.oneof(...kinds)
}

/**
 * Whether the service's own schema validation must refuse the request, as far
 * as ajv configured like Fastify's can tell, judged on what goes on the wire.
 */
function mustRefuse (v: Validators, op: Operation, req: FuzzRequest): boolean {
  for (const p of op.pathParams) {
    const sent = Buffer.from(String(req.params[p.name])).toString()
    // Empty or longer than Fastify's maxParamLength: no route matches (404), a refusal too, but not by validation.
    if (sent === '' || sent.length > 100) return false
    if (!v.accepts(p.schema, sent)) return true
  }
  const url = new URL(urlOf(op, req), 'http://peiyu.test')
  for (const p of op.queryParams) {
    const all = url.searchParams.getAll(p.name)
    // A required parameter with a default (limit) is filled in by validation: leaving it out is not invalid.
    if (all.length === 0) { if (p.required && (p.schema as { default?: unknown } | undefined)?.default === undefined) return true; continue }
    if (!v.accepts(p.schema, all.length === 1 ? all[0] : all)) return true
  }
  if (op.body != null && !v.accepts(op.body, req.body, 'body')) return true
  return false
}

interface Principal { role: Role, token: string }

async function setUp (app: FastifyInstance): Promise<{ principals: Principal[], knownIds: string[] }> {
  const firm = await registerFirm(app)
  const principals: Principal[] = [
    { role: 'enterprise', token: firm.token },
    { role: 'officer', token: (await createStaff(app, 'officer')).token },
    { role: 'reviewer', token: (await createStaff(app, 'reviewer')).token },
    { role: 'analyst', token: (await createStaff(app, 'analyst')).token },
    { role: 'admin', token: await adminToken(app) },
    { role: 'district_officer', token: (await createStaff(app, 'district_officer', { districtCode: '210202' })).token }
  ]
  return { principals, knownIds: [firm.enterpriseId, firm.userId] }
}

function send (app: FastifyInstance, op: Operation, req: FuzzRequest, token: string | undefined): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...req.headers, ...(token != null ? auth(token) : {}) }
  const hasBody = req.body !== undefined && ['POST', 'PUT', 'PATCH'].includes(op.method)
  if (hasBody) headers['content-type'] = 'application/json'
  return app.inject({ method: op.method as 'GET', url: urlOf(op, req), headers, ...(hasBody ? { payload: JSON.stringify(req.body) } : {}) })
}

/** The first role that is not turned away (401/403) by a valid request: the role the route is for. */
async function roleFor (app: FastifyInstance, op: Operation, sample: FuzzRequest, principals: Principal[]): Promise<Principal | undefined> {
  if (!op.secured) return undefined
  for (const p of principals) {
    const res = await send(app, op, sample, p.token)
    if (res.statusCode !== 401 && res.statusCode !== 403) return p
  }
  return principals[principals.length - 1]
}

/** Problems with one response: 5xx, an undeclared status, a body off its schema, a leak. */
function problems (v: Validators, op: Operation, res: LightMyRequestResponse, what: string): string[] {
  const out: string[] = []
  const where = `${what} → ${res.statusCode}`
  if (res.statusCode >= 500) out.push(`${where}: server error ${res.body.slice(0, 300)}`)
  if (LEAK.test(res.body)) out.push(`${where}: body shows internals: ${res.body.slice(0, 300)}`)
  const type = String(res.headers['content-type'] ?? '')
  let parsed: any
  if (type.startsWith('application/json')) {
    try { parsed = JSON.parse(res.body) } catch { out.push(`${where}: JSON content type but not JSON`) }
  }
  // A URL no route matches (e.g. a param longer than maxParamLength) is not this operation's answer.
  if (parsed?.code === 'ROUTE_NOT_FOUND') return out
  if (op.responses[String(res.statusCode)] == null) {
    out.push(`${where}: status not declared in the OpenAPI document (${Object.keys(op.responses).join(',')}) ${res.body.slice(0, 200)}`)
    return out
  }
  if (res.statusCode === 204) {
    if (res.body !== '') out.push(`${where}: 204 with a body`)
  } else if (parsed !== undefined) {
    const check = v.response(op, res.statusCode, parsed)
    if (!check.ok) out.push(`${where}: body does not match its schema: ${check.errors} ${res.body.slice(0, 200)}`)
  }
  return out
}

const describe = (op: Operation, req: FuzzRequest): string =>
  `${op.method} ${urlOf(op, req).slice(0, 160)} ${req.body === undefined ? '' : JSON.stringify(req.body)?.slice(0, 160)}`

t.test('every route, valid and mutated input: no 5xx, refusals are 4xx, responses match their schemas', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const { principals, knownIds } = await setUp(app)
  const doc = await loadOpenApi(app)
  const v = validators(doc)
  const ops = operations(doc).filter(selected)
  t.ok(ops.length >= 15, `${ops.length} operations discovered from /docs/json`)
  let sent = 0
  let refused = 0
  for (const [i, op] of ops.entries()) {
    const valid = requestArbitrary(doc, op, knownIds)
    const samples = fc.sample(valid, { seed: SEED + i, numRuns: RUNS })
    const mutants = fc.sample(mutantArbitrary(doc, op, valid), { seed: SEED + 1000 + i, numRuns: RUNS })
    const who = await roleFor(app, op, samples[0], principals)
    const found: string[] = []
    for (const req of samples) {
      const res = await send(app, op, req, who?.token)
      sent++
      found.push(...problems(v, op, res, describe(op, req)))
    }
    for (const req of mutants) {
      const res = await send(app, op, req, who?.token)
      sent++
      found.push(...problems(v, op, res, describe(op, req)))
      if (mustRefuse(v, op, req)) {
        refused++
        if (res.statusCode < 400 || res.statusCode >= 500) found.push(`${describe(op, req)} → ${res.statusCode}: invalid input was accepted`)
      }
    }
    t.same(found, [], `${op.method} ${op.path} as ${who?.role ?? 'anonymous'}`)
  }
  t.ok(refused > ops.length, `${refused} of ${sent} requests were invalid by schema and refused`)
  t.comment(`fuzz: ${ops.length} operations, ${sent} requests, ${refused} must-refuse`)
})

t.test('targeted: prototype pollution, invalid UTF-8, SQL in filters, over-long and huge values, 415, 413, limit=100000', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const { principals, knownIds } = await setUp(app)
  const doc = await loadOpenApi(app)
  const v = validators(doc)
  const ops = operations(doc).filter(selected)
  const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort()
  const writes = ops.filter(op => ['POST', 'PUT', 'PATCH'].includes(op.method))
  const jsonBodies = writes.filter(op => op.body != null)
  t.ok(jsonBodies.length >= 5, `${jsonBodies.length} operations take JSON bodies`)

  const found: string[] = []
  const expect = (res: LightMyRequestResponse, op: Operation, what: string, ok: (status: number) => boolean, label: string): void => {
    found.push(...problems(v, op, res, `${op.method} ${op.path} ${what}`).filter(p => !/not declared/.test(p) || ![413, 415].includes(res.statusCode)))
    // Routes with their own tighter limit (declared 429) may turn the targeted burst away first.
    const limited = res.statusCode === 429 && op.responses['429'] != null
    if (!ok(res.statusCode) && !limited) found.push(`${op.method} ${op.path} ${what} → ${res.statusCode}, expected ${label}: ${res.body.slice(0, 200)}`)
  }

  for (const [i, op] of ops.entries()) {
    const [sample] = fc.sample(requestArbitrary(doc, op, knownIds), { seed: SEED + 5000 + i, numRuns: 1 })
    const who = await roleFor(app, op, sample, principals)
    const headers = (extra: Record<string, string> = {}) => ({ ...sample.headers, ...(who != null ? auth(who.token) : {}), ...extra })
    const url = urlOf(op, sample)

    if (op.body != null) {
      const validJson = JSON.stringify(sample.body ?? {})
      const inner = validJson.startsWith('{') && validJson !== '{}' ? validJson.slice(1) : '}'
      for (const raw of [
        '{"__proto__":{"polluted":"yes"}}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        `{"__proto__":{"polluted":"yes"},${inner}`,
        `{"constructor":{"prototype":{"polluted":"yes"}},${inner}`
      ]) {
        const res = await app.inject({ method: op.method as 'POST', url, headers: headers({ 'content-type': 'application/json' }), payload: raw })
        expect(res, op, `prototype payload ${raw.slice(0, 40)}`, s => s === 400, '400')
      }
      // Invalid UTF-8 inside a string value of an otherwise valid body.
      const props = deref(doc, op.body).properties ?? {}
      const textField = Object.keys(props).find(k => deref(doc, props[k]).type === 'string')
      if (textField != null) {
        const body = Buffer.concat([
          Buffer.from(JSON.stringify({ ...(sample.body as object), [textField]: 'MARK' }).replace('"MARK"', '"a')),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
          Buffer.from('b"')
        ])
        const withBrace = body.toString('latin1').endsWith('}') ? body : Buffer.concat([body, Buffer.from('}')])
        const res = await app.inject({ method: op.method as 'POST', url, headers: headers({ 'content-type': 'application/json' }), payload: withBrace })
        expect(res, op, `invalid UTF-8 in ${textField}`, s => s < 500, 'no 5xx')
      }
      // One past every declared bound.
      for (const [k, raw] of Object.entries<Schema>(props)) {
        const s = deref(doc, raw)
        const tooLong = s.type === 'string' && s.maxLength != null ? 'a'.repeat(s.maxLength + 1) : undefined
        const tooBig = (s.type === 'integer' || s.type === 'number') && s.maximum != null ? s.maximum + 1 : undefined
        for (const value of [tooLong, tooBig, (s.type === 'integer' || s.type === 'number') ? 1e308 : undefined, s.type === 'integer' ? 1.5 : undefined]) {
          if (value === undefined) continue
          const res = await app.inject({ method: op.method as 'POST', url, headers: headers({ 'content-type': 'application/json' }), payload: JSON.stringify({ ...(sample.body as object), [k]: value }) })
          expect(res, op, `${k}=${String(value).slice(0, 20)}`, s => s === 400, '400')
        }
      }
      // Over the body limit (1 MiB).
      const huge = JSON.stringify({ ...(sample.body as object), padding: 'x'.repeat(1536 * 1024) })
      const big = await app.inject({ method: op.method as 'POST', url, headers: headers({ 'content-type': 'application/json' }), payload: huge })
      expect(big, op, 'body over the limit', s => s === 413, '413')
    }
    if (writes.includes(op)) {
      // Media types the operation does not declare (the public notice page's form takes urlencoded by design).
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded'].filter(type => !op.bodyTypes.includes(type))) {
        const res = await app.inject({ method: op.method as 'POST', url, headers: headers({ 'content-type': type }), payload: 'a=1&b=<x/>' })
        expect(res, op, `content-type ${type}`, s => s === 415, '415')
      }
    }
    for (const p of op.queryParams) {
      const s = deref(doc, p.schema)
      if (p.name === 'limit') {
        const res = await app.inject({ method: op.method as 'GET', url: urlOf(op, { ...sample, query: { ...sample.query, limit: 100000 } }), headers: headers() })
        expect(res, op, 'limit=100000', s => s === 400, '400')
        continue
      }
      if (s.type !== 'string' && s.enum == null && s.anyOf == null) continue
      for (const fragment of SQL_FRAGMENTS) {
        const res = await app.inject({ method: op.method as 'GET', url: urlOf(op, { ...sample, query: { ...sample.query, [p.name]: fragment } }), headers: headers() })
        const allowlisted = s.enum != null || s.anyOf != null || s.pattern != null || s.format != null
        expect(res, op, `${p.name}=${fragment}`, st => allowlisted ? st === 400 : st < 500, allowlisted ? '400 (allowlisted values)' : 'no 5xx')
      }
    }
    if (op.method === 'GET') {
      const res = await app.inject({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}__proto__[polluted]=yes&constructor[prototype][polluted]=yes`, headers: headers() })
      expect(res, op, 'prototype keys in the query', s => s < 500, 'no 5xx')
    }
  }
  t.same(found, [], 'every targeted case answered as expected')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype not polluted')
  t.same(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeysBefore, 'no new keys on Object.prototype')
  // The SQL fragments changed nothing: the accounts are all still there.
  const admin = principals.find(p => p.role === 'admin')!
  const users = await app.inject({ url: '/v1/users?limit=500', headers: auth(admin.token) })
  t.equal(users.statusCode, 200)
  t.ok(users.json().items.length >= 5, 'users table intact')
})
