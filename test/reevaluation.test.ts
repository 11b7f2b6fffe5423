import t from 'tap'
import fc from 'fast-check'
import {
  computeReevaluation, failureStreak, missingStreak, pathAfter, reevaluationFingerprint,
  type MemberForReview, type PoolPolicy, type ReevaluationInput, type YearDeclaration
} from '../server/domain/reevaluation.ts'

const POLICY: PoolPolicy = {
  termYears: 3,
  exitAfterFailures: 2,
  gates: {
    startup: [{ gate: 'founded_within_years', years: 5 }, { gate: 'tier_below', tier: 'billion' }],
    innovative_growth: [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.03' }],
    leading_platform: [{ gate: 'tier_at_least', tier: 'billion' }]
  },
  graduationPaths: { startup: 'innovative_growth', innovative_growth: 'leading_platform' }
}
const member = (over: Partial<MemberForReview> = {}): MemberForReview => ({
  id: 'm1', enterpriseId: 'e1', enterpriseName: 'Firm', programCode: 'innovative_growth', currentTier: 'above_scale', status: 'active',
  statusReason: null, missingYears: 0, admittedOn: '2023-06-01', foundedOn: '2015-01-01', validFrom: '2023-06-01', validUntil: '2026-05-31', ...over
})
const decl = (tierCode: string, operatingRevenue = '100000000.00', rdExpense = '5000000.00'): YearDeclaration => ({ tierCode, operatingRevenue, rdExpense })
const input = (m: MemberForReview, years: Record<number, YearDeclaration>, over: Partial<ReevaluationInput> = {}): ReevaluationInput => ({
  year: 2025, today: '2026-03-01', members: [m],
  declarations: new Map([[m.enterpriseId, new Map(Object.entries(years).map(([y, d]) => [Number(y), d]))]]),
  livePrograms: new Map([[m.enterpriseId, new Set([m.programCode])]]),
  policy: POLICY, ...over
})

const ok = decl('above_scale', '30000000.00', '1500000.00') // 5%: passes innovative_growth
const lowRd = decl('above_scale', '100000000.00', '2990000.00') // 2.99%

t.test('computeReevaluation: every path, one member at a time', async (t) => {
  // name, member, declarations by year, expected [kind, from, to] of each change, expected row status/term/missing after (null: row untouched)
  const cases: Array<[string, MemberForReview, Record<number, YearDeclaration>, Array<[string, string?, string?]>, {
    status: string, validUntil?: string,
    missingYears?: number, program?: string
  } | null]> = [
    ['passes, term not due: nothing', member({ validUntil: '2027-05-31' }), { 2025: ok }, [], null],
    ['passes, term ends before the next re-evaluation: renewed',
      member(), { 2025: ok }, [['renewed', 'active', 'active']], { status: 'active', validUntil: '2028-12-31' }],
    ['warned, passes: renewed (back to active), term untouched when not due',
      member({ status: 'warned', validUntil: '2027-05-31', missingYears: 1 }), { 2024: ok, 2025: ok }, [['renewed', 'warned', 'active']], { status: 'active', validUntil: '2027-05-31', missingYears: 0 }],
    ['grows a tier: promoted', member({ validUntil: '2027-05-31' }), { 2025: decl('hundred_million') }, [['promoted', 'above_scale', 'hundred_million']], { status: 'active' }],
    ['falls a tier, still eligible: demoted',
      member({ programCode: 'leading_platform', currentTier: 'ten_billion', validUntil: '2027-05-31' }), { 2025: decl('billion', '5000000000.00') },
      [['demoted', 'ten_billion', 'billion']], { status: 'active' }],
    ['no declaration once: warned', member(), { 2024: ok }, [['warned', 'active', 'warned']], { status: 'warned', missingYears: 1, validUntil: '2026-05-31' }],
    ['fails its gates once (R&D 2.99%): warned, not exited', member(), { 2024: ok, 2025: lowRd }, [['warned', 'active', 'warned']], { status: 'warned' }],
    ['fails twice in a row: exited', member({ status: 'warned' }), { 2024: lowRd, 2025: lowRd }, [['exited', 'warned', 'exited']], { status: 'exited' }],
    ['missing twice in a row: exited', member({ status: 'warned', missingYears: 1 }), {}, [['exited', 'warned', 'exited']], { status: 'exited', missingYears: 2 }],
    ['missing then failing: two failures in a row, exited', member({ status: 'warned' }), { 2025: lowRd }, [['exited', 'warned', 'exited']], { status: 'exited' }],
    ['failure years before admission do not count', member({ admittedOn: '2025-03-01', validUntil: '2028-02-29' }), { 2025: lowRd }, [['warned', 'active', 'warned']], { status: 'warned' }],
    ['startup past five years meeting the growth gates: graduated',
      member({ programCode: 'startup', currentTier: 'above_scale', foundedOn: '2019-05-01', validUntil: '2027-05-31' }), { 2024: ok, 2025: ok },
      [['graduated', 'startup', 'innovative_growth']], { status: 'graduated', program: 'innovative_growth' }],
    ['startup reaching the billion tier: graduates past growth (low R&D) to leading_platform',
      member({ programCode: 'startup', currentTier: 'hundred_million', foundedOn: '2022-05-01', validUntil: '2027-05-31' }),
      { 2025: decl('billion', '2000000000.00', '1.00') },
      [['promoted', 'hundred_million', 'billion'], ['graduated', 'startup', 'leading_platform']], { status: 'graduated', program: 'leading_platform' }],
    ['startup past five years meeting no later gates: warned',
      member({ programCode: 'startup', currentTier: 'below_scale', foundedOn: '2019-05-01', validUntil: '2027-05-31' }),
      { 2024: decl('below_scale', '3000000.00', '1.00'), 2025: decl('below_scale', '3000000.00', '1.00') },
      [['warned', 'active', 'warned']], { status: 'warned' }],
    ['term already over: expired', member({ validUntil: '2026-02-28' }), { 2025: ok }, [['expired', 'active', 'expired']], { status: 'expired' }],
    ['warned, same reason again: nothing',
      member({ status: 'warned', missingYears: 1, statusReason: 'Did not pass the 2025 re-review (no declaration for 2025); 1 more failed re-review(s) in a row and the membership ends' }),
      { 2024: ok }, [], null]
  ]
  for (const [name, m, years, want, after] of cases) {
    const r = computeReevaluation(input(m, years))
    t.same(r.changes.map(c => [c.kind, c.from, c.to]), want.map(w => [w[0], w[1], w[2]]), `${name}: changes`)
    for (const c of r.changes) {
      t.ok(c.reason.length > 0 && c.reasonZh.length > 0, `${name}: ${c.kind} has a reason in both languages`)
      t.equal(c.membershipId, m.id)
    }
    t.equal(r.evaluated, 1)
    t.equal(r.unchanged, want.length === 0 ? 1 : 0, `${name}: unchanged count`)
    t.same(Object.values(r.counts).reduce((a, b) => a + b, 0), want.length, `${name}: counts add up`)
    if (after == null) {
      t.same(r.updates, [], `${name}: row untouched`)
      continue
    }
    const u = r.updates[0]
    t.equal(u.status, after.status, `${name}: status`)
    if (after.validUntil != null) t.equal(u.validUntil, after.validUntil, `${name}: term`)
    if (after.missingYears != null) t.equal(u.missingYears, after.missingYears, `${name}: missing years`)
    if (after.program != null) {
      t.equal(u.graduateTo?.program, after.program, `${name}: new program`)
      t.same([u.graduateTo?.validFrom, u.graduateTo?.validUntil], ['2026-01-01', '2028-12-31'], `${name}: new term`)
    }
  }
})

t.test('the failed gates travel with warnings and exits', async (t) => {
  const r = computeReevaluation(input(member(), { 2024: ok, 2025: lowRd }))
  t.same(r.changes[0].failedGates?.map(g => [g.gate, g.required, g.actual]), [['rd_intensity_at_least', '0.03', '0.0299']])
  t.match(r.changes[0].reason, /R&D spending is 2\.99%/)
})

t.test('no graduation into a program the firm already holds', async (t) => {
  const m = member({ programCode: 'startup', currentTier: 'above_scale', foundedOn: '2019-05-01', validUntil: '2027-05-31' })
  const r = computeReevaluation(input(m, { 2024: ok, 2025: ok }, { livePrograms: new Map([['e1', new Set(['startup', 'innovative_growth'])]]) }))
  t.same(r.changes.map(c => c.kind), ['warned'])
})

t.test('streaks and paths', async (t) => {
  t.equal(missingStreak(2024, new Set([2022]), '2022-01-01', 5), 2)
  t.equal(missingStreak(2024, new Set(), '2024-03-01', 5), 1)
  t.equal(missingStreak(2024, new Set([2020]), '2015-01-01', 3), 3)
  t.equal(failureStreak(2025, '2020-01-01', 5, y => y >= 2024), 2)
  t.same(pathAfter(POLICY.graduationPaths, 'startup'), ['innovative_growth', 'leading_platform'])
  t.same(pathAfter(POLICY.graduationPaths, 'leading_platform'), [])
  t.same(pathAfter({ a: 'b', b: 'a' }, 'a'), ['b'], 'a cycle in the policy is cut')
})

t.test('the fingerprint moves with every input but the clock', async (t) => {
  const base = input(member(), { 2025: ok })
  const f = reevaluationFingerprint(base)
  t.equal(reevaluationFingerprint({ ...base, today: '2030-01-01' } as ReevaluationInput), f, 'not the day')
  t.not(reevaluationFingerprint(input(member(), { 2025: lowRd })), f, 'a declaration')
  t.not(reevaluationFingerprint(input(member({ status: 'warned' }), { 2025: ok })), f, 'a membership')
  t.not(reevaluationFingerprint({ ...base, policy: { ...POLICY, termYears: 4 } }), f, 'the policy')
  t.not(reevaluationFingerprint({ ...base, year: 2024 }), f, 'the year')
})

t.test('property: applying the updates and evaluating the same year again changes nothing', async (t) => {
  const tiers = ['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion']
  const declared = fc.option(fc.record({
    tier: fc.constantFrom(...tiers), revenue: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    rdPermille: fc.integer({ min: 0, max: 100 })
  }))
  fc.assert(fc.property(
    fc.record({
      program: fc.constantFrom('startup', 'innovative_growth', 'leading_platform'),
      current: fc.constantFrom(...tiers),
      status: fc.constantFrom('active' as const, 'warned' as const),
      founded: fc.integer({ min: 2005, max: 2024 }),
      until: fc.constantFrom('2026-02-01', '2026-05-31', '2026-12-31', '2027-05-31', '2029-01-01'),
      y2024: declared,
      y2025: declared
    }),
    ({ program, current, status, founded, until, y2024, y2025 }) => {
      const toDecl = (d: typeof y2024) => d == null ? null : decl(d.tier, `${d.revenue}.00`, `${d.revenue * BigInt(d.rdPermille) / 1000n}.00`)
      const years: Record<number, YearDeclaration> = {}
      if (toDecl(y2024) != null) years[2024] = toDecl(y2024)!
      if (toDecl(y2025) != null) years[2025] = toDecl(y2025)!
      const m = member({ programCode: program, currentTier: current, status, foundedOn: `${founded}-01-01`, validUntil: until })
      const first = computeReevaluation(input(m, years))
      const u = first.updates[0]
      if (u == null) return true
      if (!['active', 'warned'].includes(u.status)) return true // final: not evaluated again
      const next: MemberForReview = { ...m, status: u.status as 'active' | 'warned', statusReason: u.statusReason, currentTier: u.currentTier, missingYears: u.missingYears, validFrom: u.validFrom, validUntil: u.validUntil }
      const again = computeReevaluation(input(next, years))
      return again.changes.length === 0 && again.updates.length === 0
    }), { numRuns: 500 })
  t.pass('500 random members')
})
