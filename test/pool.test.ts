import t from 'tap'
import fc from 'fast-check'
import { eq, inArray } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, createStaff, registerFirm, auth, uscc } from './helper.ts'
import { enterprises, enterpriseDomains, declarations, poolMemberships, auditLog, poolEvaluations } from '../db/schema/index.ts'
import { changesMembership, missingStreak, reevaluateMember, type MemberForReview, type ReevaluationPolicy } from '../server/domain/reevaluation.ts'
import { verifyAuditChain } from '../server/lib/audit.ts'

// Each subtest builds the app on a fresh database; on a busy 2-core machine that takes a while.
t.setTimeout(600_000)

const POLICY: ReevaluationPolicy = {
  exitMissingYears: 2,
  gates: {
    startup: [{ gate: 'founded_within_years', years: 5 }, { gate: 'tier_below', tier: 'billion' }],
    innovative_growth: [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.03' }],
    leading_platform: [{ gate: 'tier_at_least', tier: 'billion' }]
  }
}
const member = (over: Partial<MemberForReview> = {}): MemberForReview => ({
  id: 'm', enterpriseId: 'e', programCode: 'innovative_growth', currentTier: 'above_scale', status: 'active', missingYears: 0, admittedOn: '2022-06-01', foundedOn: '2015-01-01', ...over
})
const decl = (tierCode: string, operatingRevenue = '100000000.00', rdExpense = '5000000.00') => ({ tierCode, operatingRevenue, rdExpense })

t.test('reevaluateMember: table of outcomes', async (t) => {
  const cases: Array<[string, MemberForReview, ReturnType<typeof decl> | null, number, unknown, unknown, number]> = [
    // name, member, declaration, streak, tier change, status change, missingYears
    ['same tier, gates pass', member(), decl('above_scale', '30000000.00', '900000.00'), 0, null, null, 0],
    ['grows a tier', member(), decl('hundred_million'), 0, { from: 'above_scale', to: 'hundred_million', change: 'promoted' }, null, 0],
    ['falls a tier, still eligible', member({ programCode: 'leading_platform', currentTier: 'ten_billion' }), decl('billion', '5000000000.00'), 0, { from: 'ten_billion', to: 'billion', change: 'demoted' }, null, 0],
    ['falls below its program gate', member({ programCode: 'leading_platform', currentTier: 'billion' }), decl('hundred_million'), 0, { from: 'billion', to: 'hundred_million', change: 'demoted' }, { from: 'active', to: 'exited', reason: 'failed_gates' }, 0],
    ['R&D intensity 2.99% < 3%', member(), decl('above_scale', '100000000.00', '2990000.00'), 0, null, { from: 'active', to: 'exited', reason: 'failed_gates' }, 0],
    ['R&D intensity exactly 3%', member(), decl('above_scale', '100000000.00', '3000000.00'), 0, null, null, 0],
    ['startup outgrows its age', member({ programCode: 'startup', currentTier: 'below_scale', foundedOn: '2018-03-01' }), decl('below_scale'), 0, null, { from: 'active', to: 'exited', reason: 'failed_gates' }, 0],
    ['startup exactly 5 years', member({ programCode: 'startup', currentTier: 'below_scale', foundedOn: '2019-12-31' }), decl('below_scale'), 0, null, null, 0],
    ['first missing year: warned', member(), null, 1, null, { from: 'active', to: 'warned', reason: 'missing_declaration' }, 1],
    ['already warned for this year', member({ status: 'warned', missingYears: 1 }), null, 1, null, null, 1],
    ['second missing year: exit', member({ status: 'warned', missingYears: 1 }), null, 2, null, { from: 'warned', to: 'exited', reason: 'missing_declarations' }, 2],
    ['declares again: reinstated', member({ status: 'warned', missingYears: 1 }), decl('above_scale'), 0, null, { from: 'warned', to: 'active', reason: 'declared_again' }, 0]
  ]
  for (const [name, m, d, streak, tier, status, missing] of cases) {
    const o = reevaluateMember(m, 2024, d, streak, POLICY)
    t.same(o.tier, tier, `${name}: tier`)
    t.same(o.status, status, `${name}: status`)
    t.equal(o.missingYears, missing, `${name}: missing years`)
  }
})

t.test('missingStreak: consecutive years, from admission, capped', async (t) => {
  const cases: Array<[number, number[], string, number, number]> = [
    [2024, [2024], '2022-01-01', 2, 0],
    [2024, [2023], '2022-01-01', 2, 1],
    [2024, [2022], '2022-01-01', 2, 2],
    [2024, [], '2022-01-01', 5, 3], // 2024, 2023, 2022: nothing before the admission year counts
    [2024, [], '2024-03-01', 5, 1], // admitted in 2024 on 2023's figures
    [2024, [2020], '2015-01-01', 3, 3]
  ]
  for (const [year, years, admitted, cap, want] of cases) {
    t.equal(missingStreak(year, new Set(years), admitted, cap), want, `${year} ${JSON.stringify(years)} ${admitted} cap ${cap}`)
  }
})

t.test('property: applying an outcome and re-evaluating the same year changes nothing', async (t) => {
  const tiers = ['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion']
  fc.assert(fc.property(
    fc.record({
      program: fc.constantFrom('startup', 'innovative_growth', 'leading_platform'),
      current: fc.constantFrom(...tiers),
      status: fc.constantFrom('active' as const, 'warned' as const),
      missing: fc.integer({ min: 0, max: 1 }),
      founded: fc.integer({ min: 2005, max: 2024 }),
      declared: fc.option(fc.record({ tier: fc.constantFrom(...tiers), revenue: fc.bigInt({ min: 1n, max: 10n ** 12n }), rdPermille: fc.integer({ min: 0, max: 100 }) })),
      streak: fc.integer({ min: 1, max: 3 })
    }),
    ({ program, current, status, missing, founded, declared, streak }) => {
      const m = member({ programCode: program, currentTier: current, status, missingYears: missing, foundedOn: `${founded}-01-01` })
      const d = declared == null ? null : decl(declared.tier, `${declared.revenue}.00`, `${declared.revenue * BigInt(declared.rdPermille) / 1000n}.00`)
      const s = d == null ? streak : 0
      const first = reevaluateMember(m, 2024, d, s, POLICY)
      if (first.status?.to === 'exited') return true // exited members are not re-evaluated again
      const next: MemberForReview = { ...m, currentTier: first.tier?.to ?? m.currentTier, status: first.status?.to ?? m.status, missingYears: first.missingYears }
      return !changesMembership(next, reevaluateMember(next, 2024, d, s, POLICY))
    }), { numRuns: 500 })
  t.pass('500 random members')
})

async function firm (app: FastifyInstance, n: number, foundedOn = '2016-01-01'): Promise<string> {
  const [e] = await app.db.insert(enterprises).values({ uscc: uscc(900 + n), name: `Pool firm ${n}`, districtCode: '210211', foundedOn }).returning()
  await app.db.insert(enterpriseDomains).values({ enterpriseId: e.id, domainCode: 'ai' })
  return e.id
}
async function declare (app: FastifyInstance, enterpriseId: string, year: number, tierCode: string, operatingRevenue: string, rdExpense: string) {
  await app.db.insert(declarations).values({ enterpriseId, year, tierCode, operatingRevenue, softwareRevenue: operatingRevenue, rdExpense, employees: 10, rdStaff: 1 })
}
async function join (app: FastifyInstance, enterpriseId: string, programCode: string, currentTier: string, status: string, missingYears = 0): Promise<string> {
  const [m] = await app.db.insert(poolMemberships).values({ enterpriseId, programCode, tierAtAdmission: currentTier, currentTier, admittedOn: '2023-06-01', status, missingYears }).returning()
  return m.id
}

t.test('POST /v1/pool/reevaluate and GET /v1/pool', async (t) => {
  const app = await buildTestApp(t)
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const f = {
    promoted: await firm(app, 1),
    demoted: await firm(app, 2),
    warned: await firm(app, 3),
    gone: await firm(app, 4),
    tooOld: await firm(app, 5, '2015-01-01'),
    steady: await firm(app, 6),
    back: await firm(app, 7),
    notice: await firm(app, 8),
    exited: await firm(app, 9)
  }
  await declare(app, f.promoted, 2024, 'hundred_million', '150000000.00', '7500000.00')
  await declare(app, f.demoted, 2024, 'billion', '2000000000.00', '1.00')
  await declare(app, f.warned, 2023, 'above_scale', '30000000.00', '1500000.00')
  await declare(app, f.tooOld, 2024, 'below_scale', '3000000.00', '1.00')
  await declare(app, f.steady, 2024, 'above_scale', '30000000.00', '1200000.00')
  await declare(app, f.back, 2024, 'above_scale', '30000000.00', '1500000.00')
  const m = {
    promoted: await join(app, f.promoted, 'innovative_growth', 'above_scale', 'active'),
    demoted: await join(app, f.demoted, 'leading_platform', 'ten_billion', 'active'),
    warned: await join(app, f.warned, 'innovative_growth', 'above_scale', 'active'),
    gone: await join(app, f.gone, 'innovative_growth', 'above_scale', 'warned', 1),
    tooOld: await join(app, f.tooOld, 'startup', 'below_scale', 'active'),
    steady: await join(app, f.steady, 'innovative_growth', 'above_scale', 'active'),
    back: await join(app, f.back, 'innovative_growth', 'above_scale', 'warned', 1),
    notice: await join(app, f.notice, 'startup', 'below_scale', 'notice'),
    exited: await join(app, f.exited, 'startup', 'below_scale', 'exited')
  }

  const run = async (year: number, token = officer.token) => await app.inject({ method: 'POST', url: '/v1/pool/reevaluate', headers: auth(token), payload: { year } })

  const first = await run(2024)
  t.equal(first.statusCode, 200, first.body)
  const r = first.json()
  t.equal(r.evaluated, 7, 'active and warned only')
  t.same(r.promoted.map((x: any) => [x.membershipId, x.from, x.to]), [[m.promoted, 'above_scale', 'hundred_million']])
  t.same(r.demoted.map((x: any) => [x.membershipId, x.from, x.to]), [[m.demoted, 'ten_billion', 'billion']])
  t.same(r.warned.map((x: any) => [x.membershipId, x.missingYears]), [[m.warned, 1]])
  t.same(r.reinstated.map((x: any) => x.membershipId), [m.back])
  t.same(r.exited.map((x: any) => [x.membershipId, x.reason, x.missingYears]).sort(), [[m.gone, 'missing_declarations', 2], [m.tooOld, 'failed_gates', 0]].sort())
  t.same(r.exited.find((x: any) => x.membershipId === m.tooOld).failedGates.map((g: any) => [g.gate, g.required, g.actual]), [['founded_within_years', 5, 9]])
  t.equal(r.unchanged, 1, 'the steady member')

  const rows = Object.fromEntries((await app.db.select().from(poolMemberships)).map(x => [x.id, x]))
  t.same([rows[m.promoted].currentTier, rows[m.promoted].status, rows[m.promoted].lastEvaluatedYear], ['hundred_million', 'active', 2024])
  t.same([rows[m.demoted].currentTier, rows[m.demoted].status], ['billion', 'active'])
  t.same([rows[m.warned].status, rows[m.warned].missingYears], ['warned', 1])
  t.same([rows[m.gone].status, rows[m.gone].missingYears], ['exited', 2])
  t.match(rows[m.tooOld].statusReason, /founded_within_years/)
  t.same([rows[m.back].status, rows[m.back].missingYears, rows[m.back].statusReason], ['active', 0, null])
  t.same([rows[m.notice].status, rows[m.notice].lastEvaluatedYear], ['notice', null], 'under public notice: untouched')
  t.same([rows[m.steady].lastEvaluatedYear], [null], 'unchanged rows are not written')

  const audits = await app.db.select().from(auditLog).where(inArray(auditLog.objectId, Object.values(m)))
  t.same(audits.map(a => a.action).sort(), ['pool.demote', 'pool.exit', 'pool.exit', 'pool.promote', 'pool.reinstate', 'pool.warn'])
  const promote = audits.find(a => a.action === 'pool.promote')!
  t.same([(promote.before as any).currentTier, (promote.after as any).currentTier, promote.actorId], ['above_scale', 'hundred_million', officer.id])

  // The same year again: nothing changes, nothing is audited but the run itself.
  const again = (await run(2024)).json()
  t.same([again.promoted, again.demoted, again.warned, again.reinstated, again.exited], [[], [], [], [], []])
  t.equal(again.evaluated, 5)
  t.equal(again.unchanged, 5)
  t.equal((await app.db.select().from(auditLog).where(inArray(auditLog.objectId, Object.values(m)))).length, 6)
  const evaluations = await app.db.select().from(poolEvaluations).orderBy(poolEvaluations.id)
  t.same(evaluations.map(e => [e.year, e.changes, e.runBy]), [[2024, 6, officer.id], [2024, 0, officer.id]])
  t.same((await verifyAuditChain(app.db)).intact, true)

  // The analytics rollup follows the pool: two exits, the steady member still counts.
  const dist = (await app.inject({ url: '/v1/analytics/distribution?year=2024&by=program', headers: auth(analyst.token) })).json()
  t.same(dist.cells.map((c: any) => [c.program, c.firms]), [[null, 1], ['innovative_growth', 3], ['leading_platform', 1]])

  // 2025: the warned member misses a second year and exits; everybody else too, for want of a 2025 declaration.
  const next = (await run(2025)).json()
  t.same(next.exited.map((x: any) => x.membershipId).sort(), [m.warned].sort())
  t.same(next.warned.map((x: any) => x.membershipId).sort(), [m.promoted, m.demoted, m.steady, m.back].sort())

  // Refusals.
  const earlier = await run(2023)
  t.equal(earlier.statusCode, 409)
  t.equal(earlier.json().code, 'INVALID_STATE')
  const future = await run(new Date().getUTCFullYear() + 1)
  t.equal(future.statusCode, 400)
  t.equal(future.json().code, 'VALIDATION_FAILED')
  const bad = await app.inject({ method: 'POST', url: '/v1/pool/reevaluate', headers: auth(officer.token), payload: { year: '2024; drop' } })
  t.equal(bad.statusCode, 400)
  t.equal((await run(2025, analyst.token)).statusCode, 403)
  const owner = await registerFirm(app)
  t.equal((await run(2025, owner.token)).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/v1/pool/reevaluate', payload: { year: 2025 } })).statusCode, 401)

  // GET /v1/pool as an officer: rows with names, filters, paging, CSV.
  const live = (await app.inject({ url: '/v1/pool?limit=2', headers: auth(officer.token) })).json()
  t.equal(live.items.length, 2)
  t.type(live.nextCursor, 'string')
  const rest = (await app.inject({ url: `/v1/pool?limit=50&cursor=${live.nextCursor}`, headers: auth(officer.token) })).json()
  t.equal(live.items.length + rest.items.length, 5, 'notice + four warned')
  t.equal(rest.nextCursor, null)
  const exited = (await app.inject({ url: '/v1/pool?status=exited&program=startup', headers: auth(officer.token) })).json()
  t.same(exited.items.map((x: any) => [x.enterpriseName, x.status]).sort(), [['Pool firm 5', 'exited'], ['Pool firm 9', 'exited']])
  const csv = await app.inject({ url: '/v1/pool?status=active,warned,exited&format=csv', headers: auth(officer.token) })
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.ok(csv.body.startsWith('\uFEFF统一社会信用代码,企业名称,培育计划,培育计划代码,入库时等级,'))
  t.match(csv.body, /,初创型企业培育计划,startup,/)
  t.equal(csv.body.trim().split('\r\n').length, 1 + 8)
  t.equal((await app.inject({ url: '/v1/pool?status=gone', headers: auth(officer.token) })).json().code, 'VALIDATION_FAILED')

  // Analysts: counts only, never a firm row.
  const agg = await app.inject({ url: '/v1/pool?status=notice,warned', headers: auth(analyst.token) })
  t.equal(agg.statusCode, 200)
  t.notOk('items' in agg.json())
  t.same(agg.json(), {
    aggregates: [
      { program: 'innovative_growth', tier: 'above_scale', status: 'warned', members: 2 },
      { program: 'innovative_growth', tier: 'hundred_million', status: 'warned', members: 1 },
      { program: 'leading_platform', tier: 'billion', status: 'warned', members: 1 },
      { program: 'startup', tier: 'below_scale', status: 'notice', members: 1 }
    ],
    members: 5
  })
  t.notMatch(agg.body, /Pool firm/)
  t.equal((await app.inject({ url: '/v1/pool', headers: auth(owner.token) })).statusCode, 403)
  t.equal((await app.inject({ url: '/v1/pool', headers: auth((await createStaff(app, 'reviewer')).token) })).statusCode, 403)

  const [stillNotice] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.id, m.notice))
  t.equal(stillNotice.status, 'notice')
})
