import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, createStaff, auth, adminToken, uscc } from './helper.ts'
import { enterprises, enterpriseDomains, declarations } from '../db/schema/index.ts'
import { fromFen, toFen } from '../server/domain/money.ts'
import { ratio } from '../server/domain/decimal.ts'

// Targets broken down to the districts (层层分解), the export revenue share,
// and the revenue share of the plan's focus domains by primary domain.

t.setTimeout(600_000)

const FIRMS = [
  // name, district, domains (primary first), operating revenue, export revenue, tier
  ['F1', '210202', ['ai'], '12000000000.00', '600000000.00', 'ten_billion'],
  ['F2', '210202', ['big_data', 'ai'], '1500000000.00', '0.00', 'billion'],
  ['F3', '210203', ['iot'], '1200000000.50', '100000000.00', 'billion'],
  ['F4', '210203', ['ai'], '150000000.00', '0.00', 'hundred_million'],
  ['F5', '210211', ['cloud'], '30000000.00', '0.00', 'above_scale'],
  ['F6', '210211', ['cloud', 'ai'], '25000000.10', '0.00', 'above_scale'],
  ['F7', '210211', ['ai'], '1000000.00', '0.00', 'below_scale'],
  ['F8', '210211', ['industrial_software'], '6000000.00', '0.00', 'above_scale'],
  ['F9', '210203', ['iot'], '200000000.00', '0.00', 'hundred_million']
] as const

const fen = (rows: ReadonlyArray<typeof FIRMS[number]>) => rows.reduce((a, f) => a + toFen(f[3]), 0n)
const TOTAL = fen(FIRMS)
const FOCUS = fen(FIRMS.filter(f => f[0] !== 'F8'))

async function seed (app: FastifyInstance) {
  let n = 0
  for (const [name, district, domains, op, ex, tier] of FIRMS) {
    const [e] = await app.db.insert(enterprises).values({ uscc: uscc(700 + n++), name, districtCode: district, foundedOn: '2016-01-01', primaryDomain: domains[0] })
      .returning()
    await app.db.insert(enterpriseDomains).values(domains.map(d => ({ enterpriseId: e.id, domainCode: d })))
    await app.db.insert(declarations).values({
      enterpriseId: e.id, year: 2023, operatingRevenue: op, softwareRevenue: op, rdExpense: '1000.00', exportRevenue: ex, employees: 10, rdStaff: 1, tierCode: tier
    })
  }
}

const target = (over: Record<string, unknown>) => ({
  key: 'k', measure: 'industry_revenue', comparator: 'gte', goal: '1', dueYear: 2028, labelZh: '目标', labelEn: 'Target', ...over
})
const TARGETS = [
  target({ key: 'focus_share', measure: 'primary_domain_revenue_share', domains: ['ai', 'iot', 'big_data', 'cloud'], goal: '0.5', labelZh: '四大领域收入占比' }),
  target({ key: 'export_share', measure: 'export_revenue_share', goal: '0.1', labelZh: '出口收入占比' }),
  target({ key: 'district_revenue', district: '210211', goal: '60000000', labelZh: '甘井子区产业规模' }),
  target({ key: 'district_firms', district: '210211', measure: 'firms_at_least_tier', tierCode: 'above_scale', goal: '5', labelZh: '甘井子区规上企业' }),
  target({ key: 'district_focus', district: '210211', measure: 'primary_domain_revenue_share', domains: ['ai', 'iot', 'big_data', 'cloud'], goal: '0.9' }),
  target({ key: 'district_revenue', district: '210203', goal: '2000000000', labelZh: '西岗区产业规模' })
]

t.test('district targets, the export share and the focus domains\' share', async (t) => {
  const app = await buildTestApp(t)
  await seed(app)
  const admin = await adminToken(app)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const get = async (token: string, url: string) => await app.inject({ url, headers: auth(token) })

  const bad = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets: [target({ measure: 'primary_domain_revenue_share', goal: '0.5' })] } })
  t.equal(bad.statusCode, 400, 'a domain share names its domains')
  t.match(bad.json().fields, [{ field: 'body.targets.0.domains' }])
  const unknown = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets: [target({ district: 'nowhere' })] } })
  t.equal(unknown.json().code, 'UNKNOWN_REFERENCE')
  const put = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets: TARGETS } })
  t.equal(put.statusCode, 200, put.body)
  t.equal(put.json().targets.filter((x: { district: string | null }) => x.district === '210211').length, 3)

  // The city: only the city's targets, the focus share by primary domain, the export share.
  const city = (await get(analyst.token, '/v1/analytics/targets?year=2023')).json()
  t.same(city.targets.map((x: { key: string }) => x.key).sort(), ['export_share', 'focus_share'])
  const focus = city.targets.find((x: { key: string }) => x.key === 'focus_share')
  // Eight firms in the focus group and one outside it: the total minus the focus group would be that one firm's revenue.
  t.match(focus, { measurable: true, value: null, met: null, suppressed: true }, 'an analyst: withheld, the rest is a single firm')
  const focusExact = (await get(officer.token, '/v1/analytics/targets?year=2023')).json().targets.find((x: { key: string }) => x.key === 'focus_share')
  t.match(focusExact, { measurable: true, value: ratio(FOCUS, TOTAL, 6), met: true, suppressed: false }, 'an officer: the plan\'s focus share, exact')
  const exportShare = city.targets.find((x: { key: string }) => x.key === 'export_share')
  t.match(exportShare, { value: ratio(toFen('700000000.00'), TOTAL, 6), met: false })

  // One district: its own goals against its own figures (exact for officers).
  const ganjingzi = (await get(officer.token, '/v1/analytics/targets?year=2023&district=210211')).json()
  t.match(ganjingzi, { district: '210211', firms: 4, exact: true })
  const byKey = (r: { targets: Array<{ key: string }> }, k: string) => r.targets.find(x => x.key === k) as Record<string, unknown>
  t.match(byKey(ganjingzi, 'district_revenue'), { value: '62000000.10', met: true, gap: '-2000000.10' })
  t.match(byKey(ganjingzi, 'district_firms'), { value: '3', met: false })
  t.match(byKey(ganjingzi, 'district_focus'), { value: ratio(toFen('56000000.10'), toFen('62000000.10'), 6), suppressed: false })

  // Analysts: the district's figures come from the protected table: F7 alone in its tier withholds the district's revenue.
  const protectedView = (await get(analyst.token, '/v1/analytics/targets?year=2023&district=210211')).json()
  t.equal(protectedView.exact, false)
  t.match(byKey(protectedView, 'district_revenue'), { value: null, met: null, suppressed: true })
  t.match(byKey(protectedView, 'district_focus'), { value: null, suppressed: true }, 'its domain share too')
  t.match(byKey(protectedView, 'district_firms'), { value: '3', suppressed: false }, 'firm counts stay visible')

  // Side by side: every district, each with its own targets, beside the city's.
  const all = (await get(officer.token, '/v1/analytics/targets?year=2023&by=district')).json()
  t.equal(all.by, 'district')
  t.ok(all.districts.length >= 10, 'every reference district')
  const xigang = all.districts.find((d: { district: string }) => d.district === '210203')
  t.match(xigang, { firms: 3, targets: [{ key: 'district_revenue', value: fromFen(toFen('1200000000.50') + toFen('350000000.00')), met: false }] })
  t.same(all.districts.find((d: { district: string }) => d.district === '210212').targets, [], 'a district without targets')
  t.equal((await get(officer.token, '/v1/analytics/targets?year=2023&district=210211&by=district')).statusCode, 400)
  t.equal((await get(officer.token, '/v1/analytics/targets?year=2023&district=nowhere')).json().code, 'UNKNOWN_REFERENCE')
})

t.test('the trend: revenue by primary domain adds up to the total; the focus group is published', async (t) => {
  const app = await buildTestApp(t)
  await seed(app)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const exact = (await app.inject({ url: '/v1/analytics/trend?from=2023&to=2023', headers: auth(officer.token) })).json()
  const year = exact.years[0]
  const cells = year.primaryDomains.cells as Array<{ domain: string, firms: number, operatingRevenue: string, share: string }>
  t.same(cells.map(c => c.domain), ['ai', 'big_data', 'cloud', 'industrial_software', 'iot'], 'each firm in one primary domain')
  t.equal(cells.reduce((a, c) => a + c.firms, 0), FIRMS.length, 'every firm counted once')
  t.equal(fromFen(cells.reduce((a, c) => a + toFen(c.operatingRevenue), 0n)), year.totals.operatingRevenue, 'the domains add up to the total')
  t.equal(cells.find(c => c.domain === 'big_data')?.operatingRevenue, '1500000000.00', 'F2 counts in big data only')
  t.match(year.primaryDomains.focus, { firms: 8, operatingRevenue: fromFen(FOCUS), share: ratio(FOCUS, TOTAL, 6) })
  t.equal(year.totals.exportRevenue, '700000000.00', 'export revenue is in the totals')

  const guarded = (await app.inject({ url: '/v1/analytics/trend?from=2023&to=2023', headers: auth(analyst.token) })).json().years[0].primaryDomains
  // One firm outside the focus group: the year's total minus the focus group would be its revenue, so an analyst gets neither.
  t.match(guarded.focus, { firms: 8, operatingRevenue: null, share: null }, 'the focus group is withheld when the rest is one firm')
  // Domain cells cut across the protected table's cells: an analyst never gets them, only the counts.
  t.same(guarded.cells.map((c: { firms: number }) => c.firms), cells.map(c => c.firms), 'firm counts per domain')
  t.ok(guarded.cells.every((c: { operatingRevenue: string | null, share: string | null }) => c.operatingRevenue == null && c.share == null),
    'no domain\'s revenue')
})

t.test('an analyst reads the focus share where publishing it isolates no group', async (t) => {
  const app = await buildTestApp(t)
  // 40 firms in four leaves of ten (two districts × AI or industrial software), each safe: the focus split adds nothing
  // a reader could narrow down, so it is published; each domain's own revenue is still withheld.
  let focus = 0n
  let total = 0n
  for (let i = 0; i < 40; i++) {
    const domain = i % 2 === 0 ? 'ai' : 'industrial_software'
    const op = fromFen(3_000_000_000n + BigInt(i) * 100_000n)
    total += toFen(op)
    if (domain === 'ai') focus += toFen(op)
    const [e] = await app.db.insert(enterprises).values({
      uscc: uscc(900 + i), name: `G${i}`, districtCode: i < 20 ? '210202' : '210203', foundedOn: '2016-01-01',
      primaryDomain: domain
    }).returning()
    await app.db.insert(enterpriseDomains).values({ enterpriseId: e.id, domainCode: domain })
    await app.db.insert(declarations).values({
      enterpriseId: e.id, year: 2023, operatingRevenue: op, softwareRevenue: op, rdExpense: '1000.00', exportRevenue: '0.00', employees: 10, rdStaff: 1,
      tierCode: 'above_scale'
    })
  }
  const analyst = await createStaff(app, 'analyst')
  const year = (await app.inject({ url: '/v1/analytics/trend?from=2023&to=2023', headers: auth(analyst.token) })).json().years[0]
  t.match(year.primaryDomains.focus, { firms: 20, operatingRevenue: fromFen(focus), share: ratio(focus, total, 6) }, 'the focus group, exact')
  t.ok(year.primaryDomains.cells.every((c: { operatingRevenue: string | null }) => c.operatingRevenue == null), 'no domain cell')
})
