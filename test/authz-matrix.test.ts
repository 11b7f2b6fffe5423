import t from 'tap'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { poolMemberships } from '../db/schema/index.ts'
import { buildTestApp, registerFirm, createStaff, adminToken, auth } from './helper.ts'
import { arbitraryFor, loadOpenApi, operations, type OpenApiDoc, type Operation } from './openapi.ts'
import { ACTORS, DISCREPANCIES, MATRIX, type Actor, type Outcome } from './authz-matrix.ts'

// The authorization matrix (OWASP API1:2023 broken object level authorization,
// API5:2023 broken function level authorization): every route in /docs/json ×
// every actor, checked against test/authz-matrix.ts. A route without a row
// fails the suite. AUTHZ_DRAFT=1 prints the observed matrix instead (to add
// rows for new routes after checking them against docs/api.md).

t.setTimeout(900_000)

const SEED = 6
const DRAFT = process.env.AUTHZ_DRAFT === '1'
const key = (op: Operation): string => `${op.method} ${op.path}`

interface Fixtures {
  tokens: Partial<Record<Actor, string>>
  ids: Record<string, string | undefined>
}

/** Objects owned by `enterprise`, as far as the routes that exist today allow building them. */
async function fixtures (app: FastifyInstance): Promise<Fixtures> {
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const conflicted = await createStaff(app, 'reviewer')
  const analyst = await createStaff(app, 'analyst')
  const spare = await createStaff(app, 'analyst')
  const admin = await adminToken(app)
  const district = await createStaff(app, 'district_officer', { districtCode: '210202' }) // the fixture firm's district
  const otherDistrict = await createStaff(app, 'district_officer', { districtCode: '210211' })
  const ids: Fixtures['ids'] = { enterprise: firm.enterpriseId, user: spare.id, firmUser: firm.userId, otherEmail: other.email }
  const post = async (url: string, token: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') =>
    await app.inject({ method, url, headers: auth(token), payload: payload as object })

  await post('/v1/me/conflicts', conflicted.token, { uscc: firm.uscc, reason: 'former employer' })
  await post(`/v1/enterprises/${firm.enterpriseId}/declarations/2025`, firm.token, {
    operatingRevenue: '150000000.00', softwareRevenue: '120000000.00', rdExpense: '15000000.00', exportRevenue: '0.00',
    mainBusinessRevenue: '140000000.00', totalAssets: '90000000.00', totalLiabilities: '30000000.00',
    employees: 320, rdStaff: 80, patents: 6, softwareCopyrights: 20
  }, 'PUT')
  const rubrics = await app.inject({ url: '/v1/admin/rubrics', headers: auth(admin) })
  ids.rubric = rubrics.statusCode === 200 ? rubrics.json().items?.[0]?.id : undefined
  const now = Date.now()
  const call = await post('/v1/calls', officer.token, {
    program: 'innovative_growth', year: 2025, title: '2025 创新型企业成长计划',
    opensAt: new Date(now - 86_400_000).toISOString(), closesAt: new Date(now + 30 * 86_400_000).toISOString(), reviewersPerApplication: 1
  })
  ids.call = call.statusCode === 201 ? call.json().id : undefined
  if (ids.call != null) {
    const application = await post('/v1/applications', firm.token, { callId: ids.call, statement: '我们的声明' })
    ids.application = application.statusCode === 201 ? application.json().id : undefined
  }
  if (ids.application != null) {
    await post(`/v1/applications/${ids.application}/submit`, firm.token, undefined)
    await post(`/v1/applications/${ids.application}/assignments`, officer.token, { reviewerIds: [reviewer.id] })
    const reviews = await app.inject({ url: '/v1/reviews', headers: auth(reviewer.token) })
    ids.review = reviews.statusCode === 200 ? reviews.json().items?.[0]?.id : undefined
  }
  // A support fund with an award to the firm (a pool member of the fund's program).
  await app.db.insert(poolMemberships).values({
    enterpriseId: firm.enterpriseId, programCode: 'innovative_growth', tierAtAdmission: 'hundred_million', currentTier: 'hundred_million', admittedOn: '2025-06-01', status: 'active'
  })
  const fund = await post('/v1/funds', officer.token, { year: 2025, program: 'innovative_growth', name: '2025 扶持资金', budget: '1000000.00' })
  ids.fund = fund.statusCode === 201 ? fund.json().id : undefined
  if (ids.fund != null) {
    const award = await post(`/v1/funds/${ids.fund}/awards`, officer.token, { enterpriseId: firm.enterpriseId, amount: '100000.00', purpose: '研发补助' })
    ids.award = award.statusCode === 201 ? award.json().id : undefined
  }
  return {
    tokens: {
      enterprise: firm.token, otherEnterprise: other.token, reviewer: reviewer.token, conflictedReviewer: conflicted.token, officer: officer.token,
      analyst: analyst.token, admin, districtOfficer: district.token, otherDistrictOfficer: otherDistrict.token
    },
    ids
  }
}

/** The fixture a path parameter points at: the object of that resource owned by `enterprise`. */
function fixtureFor (path: string, param: string, ids: Fixtures['ids']): string | number | undefined {
  if (param === 'year') return 2025
  if (param === 'code') return '210202'
  if (param === 'userId') return ids.firmUser
  const resource = /^\/v1\/(?:admin\/)?(\w[\w-]*)\/\{/.exec(path)?.[1]
  const byResource: Record<string, string | undefined> = {
    enterprises: ids.enterprise, users: ids.user, calls: ids.call, applications: ids.application, reviews: ids.review, rubrics: ids.rubric,
    funds: ids.fund, awards: ids.award
  }
  return resource != null ? byResource[resource] : undefined
}

/**
 * Bodies for routes whose generated body would change the fixtures for every
 * later row: a transfer to a fresh email would disable the owner's account,
 * so the probe names another firm's email (409, nothing changes).
 */
const PROBE_BODIES: Record<string, (ids: Fixtures['ids']) => unknown> = {
  'POST /v1/enterprises/{id}/transfer': (ids) => ({ email: ids.otherEmail, reason: 'licence checked at the counter' })
}

interface Probe { url: string, missingUrl: string | undefined, real: boolean, body: unknown, headers: Record<string, string> }

function probeFor (doc: OpenApiDoc, op: Operation, ids: Fixtures['ids']): Probe {
  let real = op.pathParams.length > 0
  const values: Record<string, string> = {}
  for (const p of op.pathParams) {
    const fixture = fixtureFor(op.path, p.name, ids)
    if (fixture == null) real = false
    values[p.name] = String(fixture ?? fc.sample(arbitraryFor(doc, p.schema), { seed: SEED, numRuns: 1 })[0])
  }
  const fill = (v: Record<string, string>) => op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(v[n]))
  const idParam = op.pathParams.find(p => p.name === 'id')
  const query = fc.sample(fc.record(Object.fromEntries(op.queryParams.filter(p => p.required).map(p => [p.name, arbitraryFor(doc, p.schema)]))),
    { seed: SEED, numRuns: 1 })[0] as Record<string, unknown>
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
  const suffix = qs === '' ? '' : `?${qs}`
  const body = PROBE_BODIES[key(op)]?.(ids) ?? (op.body != null ? fc.sample(arbitraryFor(doc, op.body), { seed: SEED, numRuns: 1 })[0] : undefined)
  const headers: Record<string, string> = op.headerParams.some(h => h.name === 'if-match') ? { 'if-match': '1' } : {}
  return { url: fill(values) + suffix, missingUrl: idParam != null ? fill({ ...values, id: randomUUID() }) + suffix : undefined, real, body, headers }
}

async function call (app: FastifyInstance, op: Operation, url: string, probe: Probe, token: string | undefined): Promise<LightMyRequestResponse> {
  const withBody = probe.body !== undefined
  return await app.inject({
    method: op.method as 'GET',
    url,
    headers: { ...probe.headers, ...(token != null ? auth(token) : {}), ...(withBody ? { 'content-type': 'application/json' } : {}) },
    ...(withBody ? { payload: JSON.stringify(probe.body) } : {})
  })
}

t.test('every route × every actor answers as the matrix says', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const doc = await loadOpenApi(app)
  const ops = operations(doc)
  // Reads first, then writes (a recusal or a withdrawal changes who may see
  // what); logging out ends the actor's token, so that row goes last.
  const rank = (op: Operation): number => op.path === '/v1/auth/logout' ? 3 : op.method === 'GET' ? 0 : /recuse|withdraw|decision|return|delete/i.test(op.path + op.method) ? 2 : 1
  ops.sort((a, b) => rank(a) - rank(b))
  const missingRows = ops.map(key).filter(k => MATRIX[k] == null)
  t.same(missingRows, [], 'every route in /docs/json has a row in test/authz-matrix.ts')
  const staleRows = Object.keys(MATRIX).filter(k => !ops.some(op => key(op) === k))
  t.same(staleRows, [], 'every row names a route that exists')

  const fx = await fixtures(app)
  t.comment(`fixtures: ${JSON.stringify(fx.ids)}`)
  const draft: string[] = []
  for (const op of ops) {
    const row = MATRIX[key(op)]
    if (row == null && !DRAFT) continue
    const probe = probeFor(doc, op, fx.ids)
    const observed: Partial<Record<Actor, Outcome>> = {}
    // The owner goes last in each row, so an owner's state change does not hide the object from the others' view.
    for (const actor of [...ACTORS.filter(a => a !== 'enterprise'), 'enterprise' as const]) {
      const token = actor === 'anonymous' ? undefined : fx.tokens[actor]
      const res = await call(app, op, probe.url, probe, token)
      let outcome: Outcome = 'allow'
      // 401 INVALID_CREDENTIALS from the login route is its answer to a wrong password, not a refusal of the caller.
      if (res.statusCode === 401 && res.json().code === 'UNAUTHORIZED') outcome = 401
      else if (res.statusCode === 403) outcome = 403
      else if (res.statusCode === 404 && probe.real && probe.missingUrl != null) {
        const missing = await call(app, op, probe.missingUrl, probe, token)
        t.equal(res.body, missing.body, `${key(op)} as ${actor}: the 404 is byte-identical to a missing object's`)
        outcome = 'hidden'
      }
      t.not(res.statusCode, 500, `${key(op)} as ${actor}: no 5xx`)
      observed[actor] = outcome
      if (row != null && row[actor] !== outcome) {
        const known = DISCREPANCIES[`${key(op)} ${actor}`]
        t.fail(`${key(op)} as ${actor}: expected ${row[actor]}, got ${outcome} (${res.statusCode} ${res.body.slice(0, 160)})`, known != null ? { todo: known } : {})
      }
    }
    if (row != null && ACTORS.every(a => row[a] === observed[a])) t.pass(`${key(op)}: ${ACTORS.map(a => `${a}=${observed[a]}`).join(' ')}`)
    draft.push(`  '${key(op)}': { ${ACTORS.map(a => `${a}: ${typeof observed[a] === 'string' ? `'${observed[a]}'` : observed[a]}`).join(', ')} },${probe.real ? '' : ' // no fixture'}`)
  }
  if (DRAFT) console.log(draft.join('\n'))
})

t.test('a refused caller gets 401 or 403 whatever its input: never 400 before authorization', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const doc = await loadOpenApi(app)
  const fx = await fixtures(app)
  // Input that fails at every later stage: malformed JSON, a body of the wrong
  // shape, an unknown and an out-of-range query parameter, a malformed If-Match.
  const bad = [
    { name: 'malformed JSON', payload: '{"not json', headers: { 'content-type': 'application/json' } },
    { name: 'a body of the wrong shape', payload: '[[1], {"x": null}]', headers: { 'content-type': 'application/json' } },
    { name: 'a malformed If-Match and query', payload: undefined, headers: { 'if-match': 'W/"not a version' }, query: '?limit=-5&cursor=%00&year=x' }
  ]
  let checked = 0
  for (const op of operations(doc)) {
    const row = MATRIX[key(op)]
    if (row == null) continue
    const probe = probeFor(doc, op, fx.ids)
    for (const actor of ACTORS) {
      const expected = row[actor]
      if (expected !== 401 && expected !== 403) continue
      const token = actor === 'anonymous' ? undefined : fx.tokens[actor]
      for (const input of bad) {
        const res = await app.inject({
          method: op.method as 'GET',
          url: probe.url.split('?')[0] + (input.query ?? ''),
          headers: { ...input.headers, ...(token != null ? auth(token) : {}) },
          ...(input.payload !== undefined && op.method !== 'GET' ? { payload: input.payload } : {})
        })
        t.equal(res.statusCode, expected, `${key(op)} as ${actor} with ${input.name}: ${expected} (${res.body.slice(0, 120)})`)
        checked++
      }
    }
  }
  t.ok(checked > 300, `${checked} refused calls with bad input`)
})

t.test('lists never contain what the single GET would refuse', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { max: 0, windowMs: 60_000 } })
  const doc = await loadOpenApi(app)
  const ops = operations(doc)
  const fx = await fixtures(app)
  let checked = 0
  for (const list of ops.filter(op => op.method === 'GET' && op.pathParams.length === 0)) {
    const single = ops.find(op => op.method === 'GET' && op.path === `${list.path}/{id}`)
    if (single == null) continue
    for (const actor of ACTORS) {
      if (actor === 'anonymous' || MATRIX[key(list)]?.[actor] !== 'allow') continue
      const token = fx.tokens[actor]!
      const res = await app.inject({ url: `${list.path}?limit=500`, headers: auth(token) })
      if (res.statusCode !== 200 || !Array.isArray(res.json().items)) continue
      for (const item of res.json().items as Array<{ id?: string }>) {
        if (item.id == null) continue
        const one = await app.inject({ url: `${list.path}/${item.id}`, headers: auth(token) })
        t.equal(one.statusCode, 200, `${actor}: ${list.path} lists ${item.id}, and ${single.path} shows it`)
        checked++
      }
    }
  }
  t.comment(`${checked} listed items checked against their single GET`)
})
