import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp, auth, login, ADMIN } from './helper.ts'
import { queryRows } from '../db/client.ts'
import { tierRules } from '../db/schema/index.ts'
import { DEMO_ACCOUNTS, FIRM_PASSWORD, firmEmail, generateIndustry, parseYears, probit, rng, seedDatabase, SeedRefused, type SeedOptions } from '../scripts/seed-data.ts'
import { fromFen } from '../server/domain/money.ts'
import { tierRank } from '../server/domain/tiers.ts'
import { DEFAULT_TIER_RULES } from './fixtures.ts'
import { checkUscc } from '../server/domain/uscc.ts'

// Each subtest builds the app on a fresh database; on a busy 2-core machine that takes a while.
t.setTimeout(600_000)

// The default rule set of db/migrations/0001_reference_data.sql.
const RULES = DEFAULT_TIER_RULES

function fingerprint (opts: SeedOptions) {
  let declarations = 0
  let revenue = 0n
  let employees = 0
  const ids: string[] = []
  for (const f of generateIndustry(opts, RULES)) {
    ids.push(f.id)
    for (const y of f.years.values()) { declarations++; revenue += y.revenueFen; employees += y.employees }
  }
  return { declarations, revenue: fromFen(revenue), employees, firstIds: ids.slice(0, 3) }
}

t.test('the generator: deterministic, calibrated to the 2017 baseline, valid codes', async (t) => {
  const opts: SeedOptions = { firms: 2000, fromYear: 2017, toYear: 2026, seed: 1, force: false }
  const a = fingerprint(opts)
  t.same(fingerprint(opts), a, 'same options, same industry')
  t.not(fingerprint({ ...opts, seed: 2 }).revenue, a.revenue, 'another seed, another industry')

  let firms = 0
  let above = 0
  let aboveRevenue = 0n
  let employees = 0
  let top = 0n
  const districts = new Set<string>()
  const usccs = new Set<string>()
  for (const f of generateIndustry(opts, RULES)) {
    const y = f.years.get(2017)!
    firms++
    employees += y.employees
    if (tierRank(y.tier) >= tierRank('above_scale')) { above++; aboveRevenue += y.revenueFen }
    if (y.revenueFen > top) top = y.revenueFen
    districts.add(f.district)
    t.equal(checkUscc(f.uscc).ok, true)
    usccs.add(f.uscc)
    // R&D 5-10% of software revenue (plus the yearly creep), software revenue below operating revenue.
    for (const [year, d] of f.years) {
      if (d.softwareFen > d.revenueFen || d.rdFen * 100n < d.softwareFen * 5n - 100n || d.rdFen * 100n > d.softwareFen * (10n + BigInt(year - 2017)) / 5n * 5n + 100n) {
        t.fail(`firm ${f.index} ${year} figures out of range`)
      }
    }
  }
  t.equal(firms, 2000, 'every firm declares in the first year')
  t.equal(usccs.size, 2000, 'credit codes are unique')
  t.ok(above >= 680 && above <= 720, `about 700 above scale: ${above}`)
  const yi = Number(aboveRevenue / 100n) / 1e8
  t.ok(yi > 1040 && yi < 1066, `above-scale revenue near 1053亿: ${yi.toFixed(1)}亿`)
  t.ok(employees > 180_000 && employees < 230_000, `about 200,000 employees: ${employees}`)
  t.ok(top > 1_000_000_000_00n, 'heavy tail: at least one firm past a billion')
  t.ok(districts.size >= 10, 'spread over the districts')
})

t.test('small helpers', async (t) => {
  t.same(parseYears('2017-2026'), [2017, 2026])
  t.throws(() => parseYears('2026-2017'), SeedRefused)
  t.throws(() => parseYears('17-26'), SeedRefused)
  t.ok(Math.abs(probit(0.975) - 1.959964) < 1e-5)
  t.ok(Math.abs(probit(0.5)) < 1e-12)
  const r1 = rng(5)
  const r2 = rng(5)
  t.same([r1(), r1(), r1()], [r2(), r2(), r2()])
})

t.test('seeding a database: totals, accounts, analytics; refuses without --force', async (t) => {
  const app = await buildTestApp(t)
  const opts: SeedOptions = { firms: 120, fromYear: 2021, toYear: 2023, seed: 7, force: false }
  const rules = (await app.db.select().from(tierRules)).map(r => ({ ...r, minRevenue: String(r.minRevenue) }))
  t.same(rules.length, RULES.length)
  const lines: string[] = []
  const summary = await seedDatabase(app.database, opts, l => lines.push(l))
  const expected = fingerprint(opts)
  t.equal(summary.firms, 120)
  t.equal(summary.declarations, expected.declarations)
  t.ok(lines.some(l => /120 \/ 120 firms/.test(l)), 'progress printed')

  const totals = async () => (await queryRows<{ n: number, revenue: string, employees: number }>(app.db,
    sql`select count(*)::int as n, sum(operating_revenue)::text as revenue, sum(employees)::int as employees from declarations`))[0]
  const first = await totals()
  t.same([first.n, fromFen(BigInt(first.revenue.replace('.', ''))), first.employees], [expected.declarations, expected.revenue, expected.employees], 'the database holds what the generator made')

  // Accounts: demo staff with their printed passwords, firms with the shared one.
  const analyst = await login(app, DEMO_ACCOUNTS.find(a => a.role === 'analyst')!.email, 'Demo-Analyst-Pass-2026')
  const owner = await login(app, firmEmail(0), FIRM_PASSWORD)
  const me = (await app.inject({ url: '/v1/me', headers: auth(owner) })).json()
  t.equal(me.role, 'enterprise')
  t.ok(me.enterpriseId)

  // The analytics rollup is in place after the bulk load.
  const dist = (await app.inject({ url: '/v1/analytics/distribution?year=2023&by=tier', headers: auth(analyst) })).json()
  const [direct] = await queryRows<{ n: number, revenue: string }>(app.db, sql`select count(*)::int as n, sum(operating_revenue)::text as revenue from declarations where year = 2023`)
  t.equal(dist.totals.firms, direct.n)
  t.equal(dist.totals.operatingRevenue, direct.revenue)
  const cells = async () => [
    await queryRows(app.db, sql`select * from analytics_cells where firms > 0 order by year, tier_code, district_code, program_code, domains`),
    await queryRows(app.db, sql`select * from analytics_totals where firms > 0 order by year, tier_code, district_code, program_code`)
  ]
  const written = await cells()
  await app.db.execute(sql`select analytics_rebuild()`)
  t.same(written, await cells(), 'the rollup the seed wrote is what the database derives')
  const [{ members }] = await queryRows<{ members: number }>(app.db, sql`select count(*)::int as members from pool_memberships`)
  t.equal(members, summary.members)

  // Again without --force: refused, nothing changed.
  await t.rejects(seedDatabase(app.database, opts), SeedRefused)
  t.same(await totals(), first)
  // With --force: replaced, not doubled; the first administrator stays.
  const again = await seedDatabase(app.database, { ...opts, seed: 8, force: true })
  t.equal(again.firms, 120)
  const second = await totals()
  t.equal(second.n, fingerprint({ ...opts, seed: 8 }).declarations)
  t.not(second.revenue, first.revenue)
  t.ok(await login(app, ADMIN.email, ADMIN.password))
  const [{ firms }] = await queryRows<{ firms: number }>(app.db, sql`select count(*)::int as firms from enterprises`)
  t.equal(firms, 120)
})
