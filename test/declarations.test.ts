import t from 'tap'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { declarations } from '../db/schema/index.ts'
import { buildTestApp, registerFirm, createStaff, adminToken, auth } from './helper.ts'

const FIGURES = {
  operatingRevenue: '150000000.00',
  softwareRevenue: '120000000.00',
  rdExpense: '9000000.00',
  exportRevenue: '0.00',
  employees: 300,
  rdStaff: 120,
  patents: 12,
  softwareCopyrights: 40
}

const put = (app: FastifyInstance, token: string, enterpriseId: string, year: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'PUT', url: `/v1/enterprises/${enterpriseId}/declarations/${year}`, headers: { ...auth(token), ...headers }, payload })

async function auditOf (app: FastifyInstance, objectType: string, objectId: string) {
  const res = await app.inject({ url: `/v1/audit?objectType=${objectType}&objectId=${objectId}`, headers: auth(await adminToken(app)) })
  return res.json().items as Array<{ action: string, actorId: string, actorRole: string, before: any, after: any }>
}

// One app (and database) for the file: every test registers its own firms.
const app = await buildTestApp(t)

t.test("the issue's Done-when tiers, as a new firm sees them", async (t) => {
  const ai = await registerFirm(app, { domains: ['ai'] })
  const bigData = await registerFirm(app, { domains: ['big_data'] })

  const created = await put(app, ai.token, ai.enterpriseId, 2025, FIGURES)
  t.equal(created.statusCode, 201, created.body)
  const d = created.json()
  t.equal(d.tier, 'hundred_million')
  t.equal(d.version, 1)
  t.equal(d.year, 2025)
  t.equal(d.enterpriseId, ai.enterpriseId)
  t.equal(d.operatingRevenue, '150000000.00')
  t.equal(d.mainBusinessRevenue, null)
  t.equal(created.headers.etag, '"1"')

  const replaced = await put(app, ai.token, ai.enterpriseId, 2025, { ...FIGURES, operatingRevenue: '99999999.99', softwareRevenue: '99999999.99' })
  t.equal(replaced.statusCode, 200, replaced.body)
  t.equal(replaced.json().tier, 'above_scale')
  t.equal(replaced.json().version, 2)
  t.equal(replaced.json().id, d.id)

  const small = { ...FIGURES, operatingRevenue: '6000000.00', softwareRevenue: '5000000.00', rdExpense: '600000.00' }
  const bd = await put(app, bigData.token, bigData.enterpriseId, 2025, small)
  t.equal(bd.statusCode, 201)
  t.equal(bd.json().tier, 'above_scale', 'big-data firm with 6,000,000 is above scale')
  const aiSmall = await put(app, ai.token, ai.enterpriseId, 2024, small)
  t.equal(aiSmall.json().tier, 'below_scale', 'AI firm with 6,000,000 is below scale')
  // The 2018 rule (500万 for all) was in force until 2021.
  const ai2021 = await put(app, ai.token, ai.enterpriseId, 2021, small)
  t.equal(ai2021.json().tier, 'above_scale', 'in 2021 the AI firm was above scale with the same figures')

  // The database holds exact numerics and the stored tier.
  const [row] = await app.db.select().from(declarations).where(eq(declarations.id, d.id))
  t.equal(row.operatingRevenue, '99999999.99')
  t.equal(row.tierCode, 'above_scale')
})

t.test('history by year, newest first, paged; one year; ETag', async (t) => {
  const firm = await registerFirm(app, { foundedOn: '2018-01-01' })
  for (const year of [2019, 2023, 2021, 2025]) t.equal((await put(app, firm.token, firm.enterpriseId, year, FIGURES)).statusCode, 201)
  const list = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations`, headers: auth(firm.token) })
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((d: any) => d.year), [2025, 2023, 2021, 2019])
  t.equal(list.json().nextCursor, null)

  const first = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations?limit=3`, headers: auth(firm.token) })
  t.same(first.json().items.map((d: any) => d.year), [2025, 2023, 2021])
  const second = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations?limit=3&cursor=${first.json().nextCursor}`, headers: auth(firm.token) })
  t.same(second.json().items.map((d: any) => d.year), [2019])
  t.equal(second.json().nextCursor, null)
  const badCursor = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations?cursor=nope`, headers: auth(firm.token) })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().code, 'VALIDATION_FAILED')
  const tooMany = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations?limit=501`, headers: auth(firm.token) })
  t.equal(tooMany.statusCode, 400)

  const one = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations/2023`, headers: auth(firm.token) })
  t.equal(one.statusCode, 200)
  t.equal(one.json().year, 2023)
  t.equal(one.headers.etag, '"1"')
  const none = await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}/declarations/2022`, headers: auth(firm.token) })
  t.equal(none.statusCode, 404)
  t.equal(none.json().code, 'NOT_FOUND')
})

t.test('consistency checks: 400 naming every offending field, and nothing stored', async (t) => {
  const firm = await registerFirm(app, { foundedOn: '2015-03-01' })
  const nextYear = new Date().getUTCFullYear() + 1
  const cases: Array<[string, number, Record<string, unknown>, string[]]> = [
    ['software revenue above operating revenue', 2025, { softwareRevenue: '150000000.01' }, ['body.softwareRevenue']],
    ['export revenue above operating revenue', 2025, { exportRevenue: '150000000.01' }, ['body.exportRevenue']],
    ['main-business revenue above operating revenue', 2025, { mainBusinessRevenue: '150000000.01' }, ['body.mainBusinessRevenue']],
    ['R&D staff above employees', 2025, { rdStaff: 301 }, ['body.rdStaff']],
    ['liabilities without assets', 2025, { totalLiabilities: '100.00' }, ['body.totalLiabilities']],
    ['liabilities with null assets', 2025, { totalAssets: null, totalLiabilities: '100.00' }, ['body.totalLiabilities']],
    ['a future year', nextYear, {}, ['params.year']],
    ['before the firm was founded', 2014, {}, ['params.year']],
    ['two problems at once', 2014, { rdStaff: 1000 }, ['params.year', 'body.rdStaff']],
    // The schema refuses these before the rules run.
    ['negative money', 2025, { rdExpense: '-1.00' }, ['body.rdExpense']],
    ['negative count', 2025, { patents: -1 }, ['body.patents']],
    ['money as a float with three decimals', 2025, { operatingRevenue: 1.005 }, ['body.operatingRevenue']],
    ['money as a JSON number (it would pass through a double)', 2025, { operatingRevenue: 150000000, rdExpense: 1.5 }, ['body.operatingRevenue', 'body.rdExpense']],
    ['three decimals', 2025, { operatingRevenue: '1.005' }, ['body.operatingRevenue']],
    ['a fractional count', 2025, { employees: 10.5 }, ['body.employees']],
    ['a field the firm may not set', 2025, { tier: 'ten_billion' }, ['body.tier']],
    ['the version in the body', 2025, { version: 7 }, ['body.version']]
  ]
  for (const [name, year, patch, fields] of cases) {
    const res = await put(app, firm.token, firm.enterpriseId, year, { ...FIGURES, ...patch })
    t.equal(res.statusCode, 400, name)
    t.equal(res.json().code, 'VALIDATION_FAILED', name)
    t.same(res.json().fields.map((f: any) => f.field), fields, name)
  }
  const missing = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, employees: undefined })
  t.equal(missing.statusCode, 400)
  t.same(missing.json().fields.map((f: any) => f.field), ['body.employees'])
  const badYear = await put(app, firm.token, firm.enterpriseId, 20251, FIGURES)
  t.equal(badYear.statusCode, 400)
  t.equal(badYear.json().code, 'VALIDATION_FAILED')
  const zh = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2025`,
    headers: { ...auth(firm.token), 'accept-language': 'zh-CN' }, payload: { ...FIGURES, rdStaff: 301 }
  })
  t.match(zh.json().message, /请求无效/)
  t.match(zh.json().message, /rdStaff/)

  const stored = await app.db.select().from(declarations).where(eq(declarations.enterpriseId, firm.enterpriseId))
  t.equal(stored.length, 0, 'no failed request stored anything')

  // The edges themselves are accepted: equal parts, the founding year, this year.
  const edge = await put(app, firm.token, firm.enterpriseId, 2015, { ...FIGURES, softwareRevenue: FIGURES.operatingRevenue, exportRevenue: FIGURES.operatingRevenue, mainBusinessRevenue: FIGURES.operatingRevenue, rdStaff: 300, totalAssets: '1.00', totalLiabilities: '2.00' })
  t.equal(edge.statusCode, 201, edge.body)
  t.equal((await put(app, firm.token, firm.enterpriseId, nextYear - 1, FIGURES)).statusCode, 201)
  const zero = await put(app, firm.token, firm.enterpriseId, 2016, { ...FIGURES, operatingRevenue: '0', softwareRevenue: '0', rdExpense: '0', exportRevenue: '0', employees: 0, rdStaff: 0 })
  t.equal(zero.statusCode, 201)
  t.equal(zero.json().tier, 'below_scale')
  t.equal(zero.json().operatingRevenue, '0.00')
})

t.test('If-Match: optional; stale or on a missing declaration is 412', async (t) => {
  const firm = await registerFirm(app)
  const onMissing = await put(app, firm.token, firm.enterpriseId, 2025, FIGURES, { 'if-match': '"1"' })
  t.equal(onMissing.statusCode, 412)
  t.equal(onMissing.json().code, 'VERSION_MISMATCH')
  t.equal((await put(app, firm.token, firm.enterpriseId, 2025, FIGURES)).statusCode, 201)
  const ok = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: 13 }, { 'if-match': '"1"' })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().version, 2)
  t.equal(ok.headers.etag, '"2"')
  const stale = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: 14 }, { 'if-match': '1' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'VERSION_MISMATCH')
  const garbage = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: 14 }, { 'if-match': 'latest' })
  t.equal(garbage.statusCode, 412)
  const weak = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: 99 }, { 'if-match': 'W/"2"' })
  t.equal(weak.statusCode, 412, 'a weak ETag never matches for If-Match (RFC 9110 13.1.1)')
  t.equal(weak.json().code, 'VERSION_MISMATCH')
  const strong = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: 14 }, { 'if-match': '"2"' })
  t.equal(strong.statusCode, 200)
  const [row] = await app.db.select().from(declarations).where(eq(declarations.enterpriseId, firm.enterpriseId))
  t.equal(row.patents, 14)
  t.equal(row.version, 3)
})

t.test('concurrent writes of one firm serialise: one wins, the stale one is 412', async (t) => {
  const firm = await registerFirm(app)
  // Two first writes of the same year: one creates, the other replaces it.
  const creates = await Promise.all([put(app, firm.token, firm.enterpriseId, 2025, FIGURES), put(app, firm.token, firm.enterpriseId, 2025, {
    ...FIGURES,
    patents: 1
  })])
  t.same(creates.map(r => r.statusCode).sort(), [200, 201])
  const edits = await Promise.all([2, 3].map(p => put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, patents: p * 10 }, { 'if-match': '"2"' })))
  t.same(edits.map(r => r.statusCode).sort(), [200, 412])
  const winner = edits.find(r => r.statusCode === 200)?.json()
  const rows = await app.db.select().from(declarations).where(eq(declarations.enterpriseId, firm.enterpriseId))
  t.equal(rows.length, 1)
  t.equal(rows[0].version, 3)
  t.equal(rows[0].patents, winner.patents)
})

t.test('ownership: another firm gets the same 404 as for a missing firm; staff may not write', async (t) => {
  const owner = await registerFirm(app)
  const other = await registerFirm(app)
  t.equal((await put(app, owner.token, owner.enterpriseId, 2025, FIGURES)).statusCode, 201)
  const missingId = randomUUID()

  const foreignPut = await put(app, other.token, owner.enterpriseId, 2025, { ...FIGURES, patents: 99 })
  const missingPut = await put(app, other.token, missingId, 2025, FIGURES)
  t.equal(foreignPut.statusCode, 404)
  t.same(foreignPut.json(), missingPut.json(), 'hidden and missing look alike')
  const foreignList = await app.inject({ url: `/v1/enterprises/${owner.enterpriseId}/declarations`, headers: auth(other.token) })
  const missingList = await app.inject({ url: `/v1/enterprises/${missingId}/declarations`, headers: auth(other.token) })
  t.equal(foreignList.statusCode, 404)
  t.same(foreignList.json(), missingList.json())
  const foreignOne = await app.inject({ url: `/v1/enterprises/${owner.enterpriseId}/declarations/2025`, headers: auth(other.token) })
  t.equal(foreignOne.statusCode, 404)
  t.same(foreignOne.json(), missingList.json())
  // Nothing changed for the owner.
  const [row] = await app.db.select().from(declarations).where(eq(declarations.enterpriseId, owner.enterpriseId))
  t.equal(row.patents, 12)

  for (const role of ['officer', 'admin', 'reviewer', 'analyst'] as const) {
    const staff = await createStaff(app, role)
    const res = await put(app, staff.token, owner.enterpriseId, 2025, FIGURES)
    t.equal(res.statusCode, 403, `${role} may never write a declaration`)
    t.equal(res.json().code, 'FORBIDDEN')
  }
  const officer = await createStaff(app, 'officer')
  const seen = await app.inject({ url: `/v1/enterprises/${owner.enterpriseId}/declarations`, headers: auth(officer.token) })
  t.equal(seen.statusCode, 200)
  t.equal(seen.json().items.length, 1)
  const officerMissing = await app.inject({ url: `/v1/enterprises/${missingId}/declarations`, headers: auth(officer.token) })
  t.equal(officerMissing.statusCode, 404)
})

t.test('audit: create and update with before/after; an identical PUT changes nothing', async (t) => {
  const firm = await registerFirm(app)
  const created = await put(app, firm.token, firm.enterpriseId, 2025, FIGURES)
  const id = created.json().id
  await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, operatingRevenue: '99999999.99', softwareRevenue: '1.00' })
  const again = await put(app, firm.token, firm.enterpriseId, 2025, { ...FIGURES, operatingRevenue: '99999999.99', softwareRevenue: '1' })
  t.equal(again.statusCode, 200)
  t.equal(again.json().version, 2, 'no new version for the same figures')

  const entries = await auditOf(app, 'declaration', id)
  t.same(entries.map(e => e.action), ['declaration.update', 'declaration.create'])
  const [update, create] = entries
  t.equal(create.actorId, firm.userId)
  t.equal(create.actorRole, 'enterprise')
  t.equal(create.before, null)
  t.equal(create.after.tier, 'hundred_million')
  t.equal(update.before.tier, 'hundred_million')
  t.equal(update.before.operatingRevenue, '150000000.00')
  t.equal(update.after.tier, 'above_scale')
  t.equal(update.after.operatingRevenue, '99999999.99')
  t.equal(update.after.version, 2)

  const verify = await app.inject({ url: '/v1/audit/verify', headers: auth(await adminToken(app)) })
  t.equal(verify.json().intact, true)
})

t.test('tier rules: read, replace (validated, audited), past tiers kept until recompute', async (t) => {
  // Works in 2020, a year no other test here declares, so the counts are its own.
  const admin = await adminToken(app)
  const aiFirm = await registerFirm(app, { domains: ['ai'] })
  const small = { ...FIGURES, operatingRevenue: '4000000.00', softwareRevenue: '3000000.00' }
  const before = await put(app, aiFirm.token, aiFirm.enterpriseId, 2020, small)
  t.equal(before.json().tier, 'below_scale')

  const got = await app.inject({ url: '/v1/admin/tier-rules', headers: auth(admin) })
  t.equal(got.statusCode, 200)
  const rules = got.json().rules
  t.equal(rules.length, 8)
  t.match(got.headers.etag, /^"[0-9a-f]{32}"$/)
  t.same(rules.find((r: any) => r.domainCode === 'big_data'), { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: 'big_data', note: '规模以上, sub-sector threshold 500万' })

  // A bad set is refused as a whole and changes nothing.
  const overlapping = [...rules, { tierCode: 'above_scale', minRevenue: '1000000.00', fromYear: 2025, toYear: null, domainCode: null }]
  const bad = await app.inject({ method: 'PUT', url: '/v1/admin/tier-rules', headers: auth(admin), payload: { rules: overlapping } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
  t.same(bad.json().fields.map((f: any) => f.field), ['body.rules.8.fromYear'])
  const unknownDomain = await app.inject({ method: 'PUT', url: '/v1/admin/tier-rules', headers: auth(admin), payload: { rules: [{ tierCode: 'above_scale', minRevenue: '1.00', fromYear: 2022, domainCode: 'blockchain' }] } })
  t.equal(unknownDomain.statusCode, 400)
  t.same(unknownDomain.json().fields.map((f: any) => f.field), ['body.rules.0.domainCode'])
  const floatMoney = await app.inject({ method: 'PUT', url: '/v1/admin/tier-rules', headers: auth(admin), payload: { rules: [{ tierCode: 'above_scale', minRevenue: 5000000, fromYear: 2022 }] } })
  t.equal(floatMoney.statusCode, 400)
  t.same(floatMoney.json().fields.map((f: any) => f.field), ['body.rules.0.minRevenue'])
  const stillEight = await app.inject({ url: '/v1/admin/tier-rules', headers: auth(admin) })
  t.equal(stillEight.json().rules.length, 8)
  t.equal(stillEight.headers.etag, got.headers.etag)

  // A one-year lower threshold for AI firms in 2020 (the general rule then was 5,000,000).
  const next = [...rules, { tierCode: 'above_scale', minRevenue: '3000000.00', fromYear: 2020, toYear: 2020, domainCode: 'ai', note: 'AI relief, 2020 only' }]
  const stale = await app.inject({ method: 'PUT', url: '/v1/admin/tier-rules', headers: { ...auth(admin), 'if-match': '"0000"' }, payload: { rules: next } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'VERSION_MISMATCH')
  const replaced = await app.inject({ method: 'PUT', url: '/v1/admin/tier-rules', headers: { ...auth(admin), 'if-match': got.headers.etag as string }, payload: { rules: next } })
  t.equal(replaced.statusCode, 200, replaced.body)
  t.equal(replaced.json().rules.length, 9)
  t.not(replaced.headers.etag, got.headers.etag)

  const kept = await app.inject({ url: `/v1/enterprises/${aiFirm.enterpriseId}/declarations/2020`, headers: auth(aiFirm.token) })
  t.equal(kept.json().tier, 'below_scale', 'a rule change never rewrites a stored tier by itself')
  const newcomer = await registerFirm(app, { domains: ['ai'] })
  t.equal((await put(app, newcomer.token, newcomer.enterpriseId, 2020, small)).json().tier, 'above_scale', 'new declarations use the new rules')
  const otherYear = await put(app, aiFirm.token, aiFirm.enterpriseId, 2019, small)
  t.equal(otherYear.json().tier, 'below_scale', 'the override is not in force in 2019')

  const recompute = await app.inject({ method: 'POST', url: '/v1/admin/tier-rules/recompute', headers: auth(admin), payload: { year: 2020 } })
  t.equal(recompute.statusCode, 200, recompute.body)
  const report = recompute.json()
  t.equal(report.year, 2020)
  t.equal(report.examined, 2)
  t.equal(report.changed, 1)
  t.same(report.changes, [{ declarationId: before.json().id, enterpriseId: aiFirm.enterpriseId, from: 'below_scale', to: 'above_scale' }])
  const after = await app.inject({ url: `/v1/enterprises/${aiFirm.enterpriseId}/declarations/2020`, headers: auth(aiFirm.token) })
  t.equal(after.json().tier, 'above_scale')
  t.equal(after.json().version, 2)
  const untouched = await app.inject({ url: `/v1/enterprises/${aiFirm.enterpriseId}/declarations/2019`, headers: auth(aiFirm.token) })
  t.equal(untouched.json().tier, 'below_scale', 'only the year asked for')
  const rerun = await app.inject({ method: 'POST', url: '/v1/admin/tier-rules/recompute', headers: auth(admin), payload: { year: 2020 } })
  t.equal(rerun.json().changed, 0)

  const ruleAudit = await auditOf(app, 'tier_rules', 'all')
  t.equal(ruleAudit.length, 1, 'refused sets leave no audit row')
  t.equal(ruleAudit[0].action, 'tier_rules.replace')
  t.equal(ruleAudit[0].before.length, 8)
  t.equal(ruleAudit[0].after.length, 9)
  const runAudit = await auditOf(app, 'tier_rules', '2020')
  t.same(runAudit.map(e => e.action), ['tier_rules.recompute', 'tier_rules.recompute'])
  t.equal(runAudit[1].after.changed, 1)
  const declAudit = await auditOf(app, 'declaration', before.json().id)
  t.equal(declAudit[0].action, 'declaration.reclassify')
  t.same(declAudit[0].before, { tier: 'below_scale', version: 1 })
  t.same(declAudit[0].after, { tier: 'above_scale', version: 2 })

  const badYear = await app.inject({ method: 'POST', url: '/v1/admin/tier-rules/recompute', headers: auth(admin), payload: { year: 'last' } })
  t.equal(badYear.statusCode, 400)
  for (const role of ['officer', 'analyst', 'reviewer'] as const) {
    const staff = await createStaff(app, role)
    for (const [method, url, payload] of [['GET', '/v1/admin/tier-rules', undefined], ['PUT', '/v1/admin/tier-rules', { rules: [] }], ['POST', '/v1/admin/tier-rules/recompute', { year: 2025 }]] as const) {
      const res = await app.inject({ method, url, headers: auth(staff.token), payload })
      t.equal(res.statusCode, 403, `${role} ${method} ${url}`)
    }
  }
})

t.test('a domain change applies to declarations written afterwards', async (t) => {
  const firm = await registerFirm(app, { domains: ['ai'] })
  const small = { ...FIGURES, operatingRevenue: '6000000.00', softwareRevenue: '5000000.00' }
  t.equal((await put(app, firm.token, firm.enterpriseId, 2025, small)).json().tier, 'below_scale')
  const patch = await app.inject({ method: 'PATCH', url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token), payload: { domains: ['ai', 'big_data'] } })
  t.equal(patch.statusCode, 200, patch.body)
  t.equal(patch.json().currentTier, 'below_scale', 'the stored tier stays')
  const rewritten = await put(app, firm.token, firm.enterpriseId, 2025, small)
  t.equal(rewritten.statusCode, 200)
  t.equal(rewritten.json().tier, 'above_scale', 'the same figures written again are classified with the new domains')
  t.equal(rewritten.json().version, 2)
})

t.test('property: any body gets 200/201 or a 400 naming fields, never a 5xx', async (t) => {
  const firm = await registerFirm(app, { foundedOn: '2010-01-01' })
  const value = fc.oneof(
    fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }).map(n => (Number(n % 1000n) % 2 === 0 ? String(n) : `${n}.${String(n % 100n).replace('-', '').padStart(2, '0')}`)),
    fc.integer({ min: -5, max: 2_000_000 }), fc.double(), fc.string({ maxLength: 8 }), fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([])
  )
  const keys = ['operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'mainBusinessRevenue', 'totalAssets', 'totalLiabilities', 'employees', 'rdStaff', 'patents', 'softwareCopyrights', 'tier']
  await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), value), fc.integer({ min: 1990, max: 2100 }), async (patch, year) => {
    const res = await put(app, firm.token, firm.enterpriseId, year, { ...FIGURES, ...patch })
    if (res.statusCode === 200 || res.statusCode === 201) return true
    const body = res.json()
    return res.statusCode === 400 && ['VALIDATION_FAILED', 'BAD_REQUEST'].includes(body.code) && Array.isArray(body.fields) && body.fields.length > 0
  }), { numRuns: 150 })
  t.pass('no 5xx')
})
