import t from 'tap'
import { sql } from 'drizzle-orm'
import { queryRows } from '../db/client.ts'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { primaryDomainShares, protectionSettings, tierSums, yearTable } from '../server/services/analytics.ts'

// The analytics keep each year in memory until its stamp moves: the sum of the
// year's change counters (migration 0024), which every committed write of the
// year's rollup rows raises. What is kept must never outlive a change.

const figures = (revenue: string, exportRevenue = '0.00') => ({
  operatingRevenue: revenue, softwareRevenue: '50000000.00', rdExpense: '4000000.00', exportRevenue,
  employees: 120, rdStaff: 30, patents: 3, softwareCopyrights: 8
})

async function stamp (app: Awaited<ReturnType<typeof buildTestApp>>, year: number): Promise<bigint> {
  const [row] = await queryRows<{ s: string }>(app.db, sql`select coalesce(sum(n), 0)::text as s from analytics_year_changes where year = ${year}`)
  return BigInt(row.s)
}

t.test('every write of a year moves its stamp up, and only its own', async (t) => {
  const app = await buildTestApp(t)
  const firm = await registerFirm(app, { domains: ['ai', 'cloud'] })
  const put = async (year: number, revenue: string, exportRevenue?: string) => {
    const res = await app.inject({ method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${year}`, headers: auth(firm.token), payload: figures(revenue, exportRevenue) })
    t.ok(res.statusCode === 200 || res.statusCode === 201, `declaration ${year} written (${res.statusCode})`)
  }
  const s0 = await stamp(app, 2024)
  await put(2024, '60000000.00')
  const s1 = await stamp(app, 2024)
  t.ok(s1 > s0, 'a new declaration raises the year\'s stamp')
  const other = await stamp(app, 2023)
  await put(2024, '61000000.00')
  const s2 = await stamp(app, 2024)
  t.ok(s2 > s1, 'a changed declaration raises it again')
  t.equal(await stamp(app, 2023), other, 'another year\'s stamp stays')

  // An export revenue of its own (not in the rollup's sums) is in the year's figures too.
  await put(2024, '61000000.00', '7000000.00')
  t.ok(await stamp(app, 2024) > s2, 'a change of export revenue alone raises it')
  const exported = (await tierSums(app.db, 2024)).reduce((a, s) => a + (s.exportRevenueFen ?? 0n), 0n)
  t.equal(exported, 700000000n, 'and the tier sums read it at once')

  // A failed write changes nothing.
  const before = await stamp(app, 2024)
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`update declarations set employees = employees + 1 where enterprise_id = ${firm.enterpriseId} and year = 2024`)
    throw new Error('rolled back')
  }).catch(() => {})
  t.equal(await stamp(app, 2024), before, 'a rolled-back write leaves the stamp')
})

t.test('a year is kept in memory while unchanged and read again after any change', async (t) => {
  const app = await buildTestApp(t)
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app, { domains: ['ai', 'cloud'], primaryDomain: 'ai' })
  const put = async (year: number, revenue: string) => {
    const res = await app.inject({ method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${year}`, headers: auth(firm.token), payload: figures(revenue) })
    t.ok(res.statusCode === 200 || res.statusCode === 201, `declaration ${year} written (${res.statusCode})`)
  }
  await put(2024, '60000000.00')
  const settings = await protectionSettings(app.db)
  const kept = await yearTable(app.db, 2024, settings)
  t.equal(await yearTable(app.db, 2024, settings), kept, 'read twice without a change: the same table')
  await put(2023, '50000000.00')
  t.equal(await yearTable(app.db, 2024, settings), kept, 'a write of another year keeps this one')

  const total = async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/analytics/distribution?year=2024&by=tier', headers: auth(officer.token) })
    t.equal(res.statusCode, 200)
    return res.json().totals.operatingRevenue as string
  }
  t.equal(await total(), '60000000.00', 'the officer reads the exact total')
  t.equal(await total(), '60000000.00', 'again, from memory')
  await put(2024, '60000000.01')
  t.equal(await total(), '60000000.01', 'a write is in the very next read (one fen)')
  t.not(await yearTable(app.db, 2024, settings), kept, 'the year was read again')

  // The primary domain decides the domain shares: changing it alone must move the year.
  const share = async (domain: string) => (await primaryDomainShares(app.db, 2024, true)).cells.find(c => c.domain === domain)?.operatingRevenue ?? null
  t.equal(await share('ai'), '60000000.01', 'counted in its primary domain')
  const res = await app.inject({ method: 'PATCH', url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token), payload: { primaryDomain: 'cloud' } })
  t.equal(res.statusCode, 200, 'the firm names another primary domain')
  t.equal(await share('cloud'), '60000000.01', 'its revenue moves to the new primary domain at once')
  t.equal(await share('ai'), null, 'and leaves the old one')
})
