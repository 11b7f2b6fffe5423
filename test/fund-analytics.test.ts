import t from 'tap'
import { eq } from 'drizzle-orm'
import { enterprises, poolMemberships } from '../db/schema/index.ts'
import { localDay } from '../server/domain/award-state.ts'
import { buildTestApp, registerFirm, createStaff, auth, type Firm } from './helper.ts'
import { declare, noLoadShedding } from './application-fixtures.ts'

// Performance evaluation of the funds: budget, awarded, paid and firms by program, tier and district;
// the outcomes of supported firms beside unsupported members; exact for officers, protected for analysts.

t.setTimeout(600_000)

type App = Awaited<ReturnType<typeof buildTestApp>>
let app: App
const M = '000000.00'
t.before(async () => { app = await buildTestApp(t, noLoadShedding) })

async function member (figures: Array<[string, string, number]>, district = '210202'): Promise<Firm> {
  const firm = await registerFirm(app)
  await app.db.insert(poolMemberships).values({
    enterpriseId: firm.enterpriseId, programCode: 'innovative_growth', tierAtAdmission: 'hundred_million', currentTier: 'hundred_million',
    admittedOn: '2025-01-01', status: 'active'
  })
  for (const [i, [revenue, rd, employees]] of figures.entries()) await declare(app, firm, 2025 + i, { operatingRevenue: revenue, rdExpense: rd, employees })
  if (district !== '210202') await app.db.update(enterprises).set({ districtCode: district }).where(eq(enterprises.id, firm.enterpriseId))
  return firm
}

t.test('budget, awarded, paid, firms; outcomes with totals and medians; analysts get the protected figures', async (t) => {
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const supported = [
    await member([[`100${M}`, `10${M}`, 100], [`110${M}`, `12${M}`, 110]]),
    await member([[`110${M}`, `10${M}`, 100], [`121${M}`, `11${M}`, 100]]),
    await member([[`120${M}`, `10${M}`, 100], [`150${M}`, `10${M}`, 120]]),
    await member([[`130${M}`, `10${M}`, 100], [`130${M}`, `13${M}`, 90]], '210203')
  ]
  for (let i = 0; i < 3; i++) await member([[`100${M}`, `10${M}`, 100], [`100${M}`, `10${M}`, 100]])
  await registerFirm(app) // outside the pool: in neither cohort

  const fund = await app.inject({ method: 'POST', url: '/v1/funds', headers: auth(officer.token), payload: { year: 2025, program: 'innovative_growth', name: '2025 成长计划扶持资金', budget: '1000000.00' } })
  t.equal(fund.statusCode, 201)
  const amounts = ['300000.00', '200000.00', '100000.00', '100000.00']
  const awardIds: string[] = []
  for (const [i, firm] of supported.entries()) {
    const res = await app.inject({ method: 'POST', url: `/v1/funds/${fund.json().id}/awards`, headers: auth(officer.token), payload: { enterpriseId: firm.enterpriseId, amount: amounts[i], purpose: '研发补助' } })
    t.equal(res.statusCode, 201, res.body)
    awardIds.push(res.json().id)
  }
  t.equal((await app.inject({ method: 'POST', url: `/v1/awards/${awardIds[0]}/payments`, headers: auth(officer.token), payload: { amount: '100000.00', paidOn: localDay(new Date()) } })).statusCode, 201)

  const exact = await app.inject({ url: '/v1/analytics/funds?year=2025', headers: auth(officer.token) })
  t.equal(exact.statusCode, 200, exact.body)
  const e = exact.json()
  t.equal(e.exact, true)
  t.same(e.funds.totals, { budget: '1000000.00', awarded: '700000.00', paid: '100000.00', firms: 4, awards: 4, suppressed: false })
  t.same(e.funds.cells, [{ program: 'innovative_growth', budget: '1000000.00', awarded: '700000.00', paid: '100000.00', firms: 4, awards: 4, suppressed: false }])
  t.same(e.outcomes.totals.supported, {
    firms: 4,
    suppressed: false,
    operatingRevenue: { base: '460000000.00', next: '511000000.00', totalGrowth: '0.1109', medianGrowth: '0.1000' },
    rdExpense: { base: '40000000.00', next: '46000000.00', totalGrowth: '0.1500', medianGrowth: '0.1500' },
    employees: { base: 400, next: 420, totalGrowth: '0.0500', medianGrowth: '0.0500' }
  })
  t.match(e.outcomes.totals.unsupported, { firms: 3, operatingRevenue: { base: '300000000.00', next: '300000000.00', totalGrowth: '0.0000', medianGrowth: '0.0000' } })

  const byDistrict = (await app.inject({ url: '/v1/analytics/funds?year=2025&by=district', headers: auth(officer.token) })).json()
  t.same(byDistrict.funds.cells.map((c: { district: string, awarded: string }) => [c.district, c.awarded]), [['210202', '600000.00'], ['210203', '100000.00']])
  t.equal(byDistrict.funds.cells[0].budget, null, 'a budget belongs to a program, not to a district')

  // The analyst: one firm alone in a district is withheld, and so is its complement (the totals would give it away).
  const protectedRes = await app.inject({ url: '/v1/analytics/funds?year=2025&by=district', headers: auth(analyst.token) })
  t.equal(protectedRes.statusCode, 200)
  const p = protectedRes.json()
  t.equal(p.exact, false)
  t.same(p.funds.totals, { budget: '1000000.00', awarded: '700000.00', paid: '100000.00', firms: 4, awards: 4, suppressed: false }, 'the year\'s totals are safe')
  const fundCells = p.funds.cells as Array<{ awarded: string | null, firms: number, suppressed: boolean }>
  t.same(fundCells.map(c => [c.awarded, c.firms, c.suppressed]), [[null, 3, true], [null, 1, true]])
  const lone = p.outcomes.cells.find((c: { district: string }) => c.district === '210203')
  t.match(lone.supported, { firms: 1, suppressed: true, operatingRevenue: { base: null, next: null, totalGrowth: null, medianGrowth: null } })
  const other = p.outcomes.cells.find((c: { district: string }) => c.district === '210202')
  t.equal(other.supported.operatingRevenue.base, null, 'the complement of a withheld cell is withheld too')
  // A cohort cuts across the year's protected table: its totals are never given to an analyst, its median rate is (4 firms here).
  t.match(p.outcomes.totals.supported, { firms: 4, suppressed: true, operatingRevenue: { base: null, next: null, totalGrowth: null } },
    'no cohort total beside the protected table')
  t.equal(p.outcomes.totals.supported.operatingRevenue.medianGrowth, e.outcomes.totals.supported.operatingRevenue.medianGrowth, 'the median rate')

  // By program (the top of the protected hierarchy): the program's four firms are safe together.
  const byProgram = (await app.inject({ url: '/v1/analytics/funds?year=2025&by=program', headers: auth(analyst.token) })).json()
  t.match(byProgram.funds.cells, [{ program: 'innovative_growth', budget: '1000000.00', awarded: '700000.00', paid: '100000.00', firms: 4, suppressed: false }])
  t.equal(byProgram.outcomes.cells[0].supported.operatingRevenue.medianGrowth, '0.1000')

  t.equal((await app.inject({ url: '/v1/analytics/funds?year=2025&by=domain', headers: auth(analyst.token) })).statusCode, 400)
  t.equal((await app.inject({ url: '/v1/analytics/funds?year=2025', headers: auth(supported[0].token) })).statusCode, 403)
  const empty = (await app.inject({ url: '/v1/analytics/funds?year=2030', headers: auth(analyst.token) })).json()
  t.same(empty.funds.totals, { budget: '0.00', awarded: '0.00', paid: '0.00', firms: 0, awards: 0, suppressed: false })
  t.same(empty.outcomes.cells, [])
})
