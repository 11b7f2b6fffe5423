import t from 'tap'
import { eq, and, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, createStaff, registerFirm, auth, adminToken, uscc } from './helper.ts'
import { enterprises, enterpriseDomains, declarations, poolMemberships, auditLog, planTargets } from '../db/schema/index.ts'
import { queryRows } from '../db/client.ts'
import { toFen, fromFen } from '../server/domain/money.ts'

// Each subtest builds the app on a fresh database; on a busy 2-core machine that takes a while.
t.setTimeout(600_000)

/**
 * A small industry for 2023 with hand-computed sums (see the comments). The
 * rows go straight into the tables: the analytics rollup is the database's
 * business, kept exact by its triggers whatever writes the rows.
 */
const FIRMS = [
  // name, district, domains, operating, software, R&D, employees, tier
  ['F1', '210202', ['ai'], '12000000000.00', '10000000000.00', '900000000.00', 20000, 'ten_billion'],
  ['F2', '210202', ['ai', 'big_data'], '1500000000.00', '1000000000.00', '100000000.00', 3000, 'billion'],
  ['F3', '210203', ['iot'], '1200000000.50', '800000000.25', '50000000.00', 2500, 'billion'],
  ['F4', '210203', ['ai'], '150000000.00', '100000000.00', '5000000.00', 400, 'hundred_million'],
  ['F5', '210211', ['cloud'], '30000000.00', '20000000.00', '1000000.00', 100, 'above_scale'],
  ['F6', '210211', ['ai', 'cloud'], '25000000.10', '20000000.00', '2000000.05', 90, 'above_scale'],
  ['F7', '210211', ['ai'], '1000000.00', '800000.00', '50000.00', 12, 'below_scale'],
  ['F8', '210211', ['industrial_software'], '6000000.00', '5000000.00', '300000.00', 30, 'above_scale'],
  ['F9', '210203', ['iot'], '200000000.00', '150000000.00', '9000000.00', 600, 'hundred_million']
] as const

async function seedIndustry (app: FastifyInstance): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  let n = 0
  for (const [name, district, domains, op, sw, rd, emp, tier] of FIRMS) {
    const [e] = await app.db.insert(enterprises).values({ uscc: uscc(500 + n++), name, districtCode: district, foundedOn: '2016-01-01' }).returning()
    ids[name] = e.id
    await app.db.insert(enterpriseDomains).values(domains.map(d => ({ enterpriseId: e.id, domainCode: d })))
    await app.db.insert(declarations).values({
      enterpriseId: e.id, year: 2023, operatingRevenue: op, softwareRevenue: sw, rdExpense: rd, employees: emp,
      rdStaff: 1, tierCode: tier
    })
  }
  const member = (id: string, programCode: string, status: string) =>
    ({ enterpriseId: id, programCode, tierAtAdmission: 'above_scale', currentTier: 'above_scale', admittedOn: '2023-06-01', status })
  await app.db.insert(poolMemberships).values([
    member(ids.F4, 'startup', 'active'),
    member(ids.F5, 'innovative_growth', 'active'),
    member(ids.F6, 'innovative_growth', 'warned'),
    member(ids.F8, 'leading_platform', 'exited')
  ])
  return ids
}

/** The same figures computed straight from the source tables, to check the rollup against. */
async function directTotals (app: FastifyInstance, year: number) {
  const [r] = await queryRows<{ firms: number, op: string, sw: string, rd: string, ex: string, emp: number }>(app.db, sql`
    select count(*)::int as firms, coalesce(sum(operating_revenue), 0)::text as op, coalesce(sum(software_revenue), 0)::text as sw,
      coalesce(sum(rd_expense), 0)::text as rd, coalesce(sum(export_revenue), 0)::text as ex, coalesce(sum(employees), 0)::int as emp
    from declarations where year = ${year}`)
  return {
    firms: r.firms, operatingRevenue: fromFen(toFen(r.op)), softwareRevenue: fromFen(toFen(r.sw)), rdExpense: fromFen(toFen(r.rd)),
    exportRevenue: fromFen(toFen(r.ex)), employees: r.emp, suppressed: false
  }
}

const get = async (app: FastifyInstance, token: string, url: string) => await app.inject({ url, headers: auth(token) })

t.test('distribution: sums, suppression, domains, programs, CSV, roles', async (t) => {
  const app = await buildTestApp(t)
  const ids = await seedIndustry(app)
  const analyst = await createStaff(app, 'analyst')
  const officer = await createStaff(app, 'officer')

  await t.test('by tier: officers get exact sums; analysts the protected table, with the year\'s totals exact', async (t) => {
    const res = await get(app, officer.token, '/v1/analytics/distribution?year=2023&by=tier')
    t.equal(res.statusCode, 200, res.body)
    const exact = res.json()
    t.equal(exact.exact, true)
    t.same(exact.totals, {
      firms: 9, operatingRevenue: '15112000000.60', softwareRevenue: '12095800000.25', rdExpense: '1067350000.05', exportRevenue: '0.00', employees: 26732, suppressed: false
    })
    t.same(exact.totals, await directTotals(app, 2023), 'the rollup agrees with the declarations')
    t.same(exact.cells.map((c: any) => [c.tier, c.firms, c.suppressed]), [
      ['below_scale', 1, false], ['above_scale', 3, false], ['hundred_million', 2, false], ['billion', 2, false], ['ten_billion', 1, false]
    ])
    t.same(exact.cells[4], {
      tier: 'ten_billion', firms: 1, operatingRevenue: '12000000000.00', softwareRevenue: '10000000000.00', rdExpense: '900000000.00', exportRevenue: '0.00', employees: 20000, suppressed: false
    })

    const body = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=tier')).json()
    t.equal(body.exact, false)
    t.same(body.totals, exact.totals, 'the year\'s totals are exact for analysts too')
    // below_scale (one firm) and above_scale make up the band below the hundred-million tier, which is exact (the
    // revenue-share target publishes it): above_scale is withheld too, or the band minus it would be F7's revenue.
    t.same(body.cells.map((c: any) => [c.tier, c.firms, c.suppressed]), [
      ['below_scale', 1, true], ['above_scale', 3, true], ['hundred_million', 2, true], ['billion', 2, true], ['ten_billion', 1, true]
    ])
    for (const c of body.cells.filter((c: any) => c.suppressed)) {
      t.same([c.operatingRevenue, c.softwareRevenue, c.rdExpense, c.exportRevenue, c.employees], [null, null, null, null, null], `${c.tier} withheld`)
    }
    t.equal(body.minFirms, 3)
    t.equal(body.dominancePercent, 10)
    t.equal(body.suppressedCells, 5)
    // The band the plan's revenue-share target measures (hundred-million tier and up) is exact: the targets publish it.
    const band = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&tier=hundred_million,billion,ten_billion')).json()
    t.equal(band.totals.operatingRevenue, '15050000000.50', 'the total minus F5, F6, F7, F8')
  })

  await t.test('no withheld district can be taken from the totals: none is withheld alone', async (t) => {
    const body = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=district')).json()
    // 210202 has 2 firms: withheld, and with it at least one more district, or the totals would give it away.
    t.same(body.cells.map((c: any) => [c.district, c.firms]), [['210202', 2], ['210203', 3], ['210211', 4]])
    t.equal(body.cells[0].suppressed, true)
    t.ok(body.cells.filter((c: any) => c.suppressed).length >= 2)
    t.equal(body.totals.suppressed, false)
  })

  await t.test('the threshold is policy data: raising it hides more, in the same request', async (t) => {
    await app.db.execute(sql`update policy_settings set value = '5'::jsonb where key = 'suppression_min_firms'`)
    t.teardown(async () => { await app.db.execute(sql`update policy_settings set value = '3'::jsonb where key = 'suppression_min_firms'`) })
    const body = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=district')).json()
    t.equal(body.minFirms, 5)
    t.same(body.cells.map((c: any) => [c.district, c.suppressed]), [['210202', true], ['210203', true], ['210211', true]], 'every district has fewer than 5 firms')
    const empty = (await get(app, analyst.token, '/v1/analytics/distribution?year=2030&by=district')).json()
    t.equal(empty.minFirms, 5, 'a year without data still reports the threshold')
    t.same(empty.cells, [])
  })

  await t.test('by domain: a firm counts in each of its domains and once in the totals', async (t) => {
    const body = (await get(app, officer.token, '/v1/analytics/distribution?year=2023&by=domain')).json()
    t.same(body.cells.map((c: any) => [c.domain, c.firms]), [['ai', 5], ['big_data', 1], ['cloud', 2], ['industrial_software', 1], ['iot', 2]])
    t.equal(body.totals.firms, 9)
    t.same(body.cells[0], {
      domain: 'ai', firms: 5, operatingRevenue: '13676000000.10', softwareRevenue: '11120800000.00', rdExpense: '1007050000.05', exportRevenue: '0.00', employees: 23502, suppressed: false
    })
    const protectedCounts = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=domain')).json()
    t.same(protectedCounts.cells.map((c: any) => [c.domain, c.firms]), body.cells.map((c: any) => [c.domain, c.firms]), 'analysts see the same counts')
    t.match(body.notes.join(' '), /once in each of its domains/)
    const narrowed = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=domain&domain=cloud,iot')).json()
    t.same(narrowed.cells.map((c: any) => [c.domain, c.firms]), [['cloud', 2], ['iot', 2]], 'only the asked domains')
    t.equal(narrowed.totals.firms, 4, 'F5, F6, F3, F9')
  })

  await t.test('by program: live memberships only; non-members are the null cell', async (t) => {
    const body = (await get(app, officer.token, '/v1/analytics/distribution?year=2023&by=program')).json()
    t.same(body.cells.map((c: any) => [c.program, c.firms, c.suppressed]), [[null, 6, false], ['innovative_growth', 2, false], ['startup', 1, false]])
    t.same(body.cells[0].operatingRevenue, '14907000000.50')
    const analysts = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=program')).json()
    t.same(analysts.cells.map((c: any) => [c.program, c.firms, c.suppressed]).slice(1), [['innovative_growth', 2, true], ['startup', 1, true]])
    const members = (await get(app, officer.token, '/v1/analytics/distribution?year=2023&pool=member')).json()
    t.equal(members.totals.firms, 3, 'F4, F5, F6 (F8 exited)')
    t.equal(members.totals.operatingRevenue, '205000000.10')
  })

  await t.test('a request narrowed to two firms gets nothing but counts', async (t) => {
    const body = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=tier&district=210202')).json()
    t.same(body.cells.map((c: any) => [c.tier, c.firms, c.suppressed, c.operatingRevenue]), [['billion', 1, true, null], ['ten_billion', 1, true, null]])
    t.same(body.totals, { firms: 2, operatingRevenue: null, softwareRevenue: null, rdExpense: null, exportRevenue: null, employees: null, suppressed: true })
    const one = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&district=210202&tier=ten_billion')).json()
    t.equal(one.totals.suppressed, true, 'one firm: totals hidden')
    t.equal(one.totals.operatingRevenue, null)
  })

  await t.test('two dimensions, and a year without data', async (t) => {
    const body = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=district,tier')).json()
    t.same(body.by, ['tier', 'district'], 'canonical order')
    t.equal(body.cells.reduce((s: number, c: any) => s + c.firms, 0), 9)
    t.ok(body.cells.every((c: any) => c.firms >= 3 || c.suppressed))
    const empty = (await get(app, analyst.token, '/v1/analytics/distribution?year=2019&by=tier')).json()
    t.same(empty.cells, [])
    t.same(empty.totals, { firms: 0, operatingRevenue: '0.00', softwareRevenue: '0.00', rdExpense: '0.00', exportRevenue: '0.00', employees: 0, suppressed: false },
      'nothing declared: zero, nothing to protect')
  })

  await t.test('CSV with a BOM and a header', async (t) => {
    const res = await app.inject({ url: '/v1/analytics/distribution?year=2023&by=tier', headers: { ...auth(analyst.token), accept: 'text/csv', 'accept-language': 'en' } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
    t.ok(res.body.startsWith('\uFEFFYear,Tier,Tier code,Firms,Operating revenue (yuan),Software revenue (yuan),R&D expense (yuan),Export revenue (yuan),Employees,Suppressed\r\n'), res.body.slice(0, 100))
    t.match(res.body, /2023,Above designated size,above_scale,3,,,,,,Yes\r\n/)
    t.match(res.body, /2023,Ten-billion tier,ten_billion,1,,,,,,Yes\r\n/)
    t.match(res.body, /2023,Total,total,9,15112000000\.60,12095800000\.25,1067350000\.05,0\.00,26732,No\r\n$/)
    const q = await get(app, analyst.token, '/v1/analytics/distribution?year=2023&format=csv')
    t.ok(q.body.startsWith('\uFEFF年度,企业数,营业收入(元),'), 'Chinese headers by default')
    const zh = await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=tier&format=csv')
    t.match(zh.body, /2023,规模以上,above_scale,3,,,,,,是\r\n/, 'labels in Chinese beside the codes')
  })

  await t.test('bad input is a 400 with a stable code', async (t) => {
    const cases: Array<[string, string]> = [
      ['/v1/analytics/distribution?year=2023&by=tier,color', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?year=2023&by=tier,tier', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?year=2023&tier=gigantic', 'UNKNOWN_REFERENCE'],
      ['/v1/analytics/distribution?year=2023&district=999999', 'UNKNOWN_REFERENCE'],
      ['/v1/analytics/distribution?year=2023&domain=ai;drop', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?by=tier', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?year=abc', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?year=2023&pool=maybe', 'VALIDATION_FAILED'],
      ['/v1/analytics/distribution?year=2023&sql=1', 'VALIDATION_FAILED'],
      ['/v1/analytics/trend?from=2023&to=2020', 'VALIDATION_FAILED'],
      ['/v1/analytics/trend?from=2020&to=2023&by=district', 'VALIDATION_FAILED'],
      ['/v1/analytics/targets', 'VALIDATION_FAILED']
    ]
    for (const [url, code] of cases) {
      const res = await get(app, analyst.token, url)
      t.equal(res.statusCode, 400, url)
      t.equal(res.json().code, code, url)
    }
  })

  await t.test('roles: enterprises and reviewers may never use analytics', async (t) => {
    const firm = await registerFirm(app)
    const reviewer = await createStaff(app, 'reviewer')
    const officer = await createStaff(app, 'officer')
    for (const url of ['/v1/analytics/distribution?year=2023', '/v1/analytics/trend?from=2022&to=2023', '/v1/analytics/targets?year=2023']) {
      t.equal((await get(app, firm.token, url)).statusCode, 403, `enterprise ${url}`)
      t.equal((await get(app, reviewer.token, url)).json().code, 'FORBIDDEN', `reviewer ${url}`)
      t.equal((await app.inject({ url })).statusCode, 401, `anonymous ${url}`)
      t.equal((await get(app, officer.token, url)).statusCode, 200, `officer ${url}`)
      t.equal((await get(app, await adminToken(app), url)).statusCode, 200, `admin ${url}`)
    }
  })

  await t.test('exact after every write: no stale figures', async (t) => {
    // F7 grows into above_scale, F5 moves district, F9 joins the pool, F6 leaves it.
    await app.db.update(declarations).set({ operatingRevenue: '40000000.00', tierCode: 'above_scale' })
      .where(and(eq(declarations.enterpriseId, ids.F7), eq(declarations.year, 2023)))
    await app.db.update(enterprises).set({ districtCode: '210204' }).where(eq(enterprises.id, ids.F5))
    await app.db.insert(poolMemberships).values({ enterpriseId: ids.F9, programCode: 'startup', tierAtAdmission: 'hundred_million', currentTier: 'hundred_million', admittedOn: '2023-07-01', status: 'notice' })
    await app.db.update(poolMemberships).set({ status: 'exited' }).where(eq(poolMemberships.enterpriseId, ids.F6))
    await app.db.delete(enterpriseDomains).where(and(eq(enterpriseDomains.enterpriseId, ids.F2), eq(enterpriseDomains.domainCode, 'big_data')))

    const byTier = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=tier')).json()
    t.same(byTier.totals, await directTotals(app, 2023))
    t.equal(byTier.totals.operatingRevenue, '15151000000.60', '+39,000,000.00')
    t.same(byTier.cells.find((c: any) => c.tier === 'above_scale').firms, 4)
    const byDistrict = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=district')).json()
    t.same(byDistrict.cells.map((c: any) => [c.district, c.firms]), [['210202', 2], ['210203', 3], ['210204', 1], ['210211', 3]])
    const byProgram = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=program')).json()
    t.same(byProgram.cells.map((c: any) => [c.program, c.firms]), [[null, 6], ['innovative_growth', 1], ['startup', 2]])
    const byDomain = (await get(app, analyst.token, '/v1/analytics/distribution?year=2023&by=domain')).json()
    t.notOk(byDomain.cells.some((c: any) => c.domain === 'big_data'), 'F2 no longer in big_data')

    // The rollup equals a rebuild from scratch.
    const rollup = async () => [
      await queryRows(app.db, sql`select * from analytics_cells where firms > 0 order by 1, 2, 3, 4, 5`),
      await queryRows(app.db, sql`select * from analytics_totals where firms > 0 order by 1, 2, 3, 4`)
    ]
    const before = await rollup()
    t.ok(before[1].length > 0)
    await app.db.execute(sql`select analytics_rebuild()`)
    t.same(before, await rollup())

    // A write that rolls back leaves no trace.
    await t.rejects(app.db.transaction(async (tx) => {
      await tx.update(declarations).set({ operatingRevenue: '1.00' }).where(eq(declarations.enterpriseId, ids.F1))
      throw new Error('rollback')
    }))
    t.same((await get(app, analyst.token, '/v1/analytics/distribution?year=2023')).json().totals, await directTotals(app, 2023))
  })
})

t.test('targets: value, goal, met, gap; admin edits them', async (t) => {
  const app = await buildTestApp(t)
  await seedIndustry(app)
  const analyst = await createStaff(app, 'analyst')
  const res = await get(app, analyst.token, '/v1/analytics/targets?year=2023')
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.equal(body.firms, 9)
  const byKey = Object.fromEntries(body.targets.map((x: any) => [x.key, x]))
  const pick = (k: string) => { const x = byKey[k]; return [x.value, x.goal, x.met, x.gap, x.measurable] }
  t.same(pick('ten_billion_firms_2023'), ['1', '1', true, '0', true])
  t.same(pick('billion_firms_2023'), ['3', '25', false, '22', true])
  t.same(pick('above_scale_firms_2023'), ['8', '1000', false, '992', true])
  t.same(pick('hundred_million_share_2023'), ['0.995897', '0.5', true, '-0.495897', true])
  t.same(pick('rd_intensity_2023'), ['0.088241', '0.08', true, '-0.008241', true])
  t.same(pick('industry_revenue_2028'), ['15112000000.60', '300000000000', false, '284887999999.40', true])
  t.same(pick('employees_2028'), ['26732', '500000', false, '473268', true])
  t.same(pick('value_added_gdp_2023'), [null, '0.08', null, null, false])
  t.equal(byKey.billion_firms_2023.dueYear, 2023)
  t.equal(byKey.billion_firms_2023.comparator, 'gte')

  const none = (await get(app, analyst.token, '/v1/analytics/targets?year=2010')).json()
  t.same(none.targets.find((x: any) => x.key === 'rd_intensity_2023').value, null, 'no software revenue: the ratio is undefined')
  t.same(none.targets.find((x: any) => x.key === 'billion_firms_2023').value, '0')

  // Admin: read, replace (validated, audited).
  const admin = await adminToken(app)
  const list = await get(app, admin, '/v1/admin/targets')
  t.equal(list.statusCode, 200)
  t.equal(list.json().targets.length, 9)
  t.equal((await get(app, analyst.token, '/v1/admin/targets')).statusCode, 403)
  const next = [
    { key: 'billion_firms_2030', measure: 'firms_at_least_tier', tierCode: 'billion', comparator: 'gte', goal: '40', dueYear: 2030, labelZh: '十亿级企业数量', labelEn: 'Billion-tier firms' },
    { key: 'rd_2030', measure: 'rd_to_software_revenue', comparator: 'gt', goal: '0.085', dueYear: 2030, labelZh: '研发投入占比', labelEn: 'R&D / software revenue' }
  ]
  const bad: Array<[string, unknown, string]> = [
    ['ratio above 1', [{ ...next[1], goal: '8' }], 'body.targets.0.goal'],
    ['tier missing', [{ ...next[0], tierCode: undefined }], 'body.targets.0.tierCode'],
    ['tier on a non-tier measure', [{ ...next[1], tierCode: 'billion' }], 'body.targets.0.tierCode'],
    ['duplicate key', [next[0], next[0]], 'body.targets.1.key']
  ]
  for (const [name, targets, field] of bad) {
    const r = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets } })
    t.equal(r.statusCode, 400, name)
    t.equal(r.json().code, 'VALIDATION_FAILED', name)
    t.same(r.json().fields.map((f: any) => f.field), [field], name)
  }
  const unknownMeasure = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets: [{ ...next[0], measure: 'happiness' }] } })
  t.equal(unknownMeasure.statusCode, 400)
  t.equal((await app.db.select().from(planTargets)).length, 9, 'nothing changed by refused requests')

  const put = await app.inject({ method: 'PUT', url: '/v1/admin/targets', headers: auth(admin), payload: { targets: next } })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json().targets.map((x: any) => [x.key, x.unit, x.goal, x.tierCode]), [['billion_firms_2030', 'firms', '40', 'billion'], ['rd_2030', 'ratio', '0.085', null]])
  const [audit] = await app.db.select().from(auditLog).where(eq(auditLog.action, 'targets.replace'))
  t.equal((audit.before as unknown[]).length, 9)
  t.equal((audit.after as unknown[]).length, 2)
  const report = (await get(app, analyst.token, '/v1/analytics/targets?year=2023')).json()
  t.same(report.targets.map((x: any) => [x.key, x.value, x.met]), [['billion_firms_2030', '3', false], ['rd_2030', '0.088241', true]])
})

t.test('trend: year by year, by tier, suppressed per year, CSV', async (t) => {
  const app = await buildTestApp(t)
  const ids = await seedIndustry(app)
  // 2022: F1, F2, F3 only (F1 in billion that year).
  await app.db.insert(declarations).values([
    { enterpriseId: ids.F1, year: 2022, operatingRevenue: '9000000000.00', softwareRevenue: '8000000000.00', rdExpense: '700000000.00', employees: 18000, rdStaff: 1, tierCode: 'billion' },
    { enterpriseId: ids.F2, year: 2022, operatingRevenue: '1400000000.00', softwareRevenue: '900000000.00', rdExpense: '90000000.00', employees: 2900, rdStaff: 1, tierCode: 'billion' },
    { enterpriseId: ids.F3, year: 2022, operatingRevenue: '1100000000.00', softwareRevenue: '700000000.00', rdExpense: '40000000.00', employees: 2400, rdStaff: 1, tierCode: 'billion' }
  ])
  const analyst = await createStaff(app, 'analyst')
  const res = await get(app, analyst.token, '/v1/analytics/trend?from=2021&to=2023&by=tier')
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(body.years.map((y: any) => [y.year, y.totals.firms]), [[2021, 0], [2022, 3], [2023, 9]])
  t.same(body.years[1].cells, [{
    tier: 'billion', firms: 3, operatingRevenue: '11500000000.00', softwareRevenue: '9600000000.00', rdExpense: '830000000.00', exportRevenue: '0.00', employees: 23300, suppressed: false
  }])
  t.equal(body.years[1].totals.operatingRevenue, '11500000000.00')
  t.same(body.years[2].cells.map((c: any) => [c.tier, c.suppressed]), [['below_scale', true], ['above_scale', true], ['hundred_million', true], ['billion', true], ['ten_billion', true]])
  const totalsOnly = (await get(app, analyst.token, '/v1/analytics/trend?from=2022&to=2023')).json()
  t.same(totalsOnly.years.map((y: any) => [y.cells.length, y.totals.operatingRevenue]), [[0, '11500000000.00'], [0, '15112000000.60']])
  const csv = await get(app, analyst.token, '/v1/analytics/trend?from=2022&to=2023&by=tier&format=csv')
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.ok(csv.body.startsWith('\uFEFF年度,规模等级,规模等级代码,企业数,'))
  t.match(csv.body, /2022,十亿级,billion,3,11500000000\.00,9600000000\.00,830000000\.00,0\.00,23300,否\r\n2022,合计,total,3,/)
})
