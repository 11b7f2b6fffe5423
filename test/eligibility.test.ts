import t from 'tap'
import fc from 'fast-check'
import { checkGate, evaluateEligibility, gateConfigProblems, type EligibilityFacts, type GateDefinition } from '../server/domain/eligibility.ts'
import { fromFen } from '../server/domain/money.ts'
import { TIER_CODES } from '../server/domain/tiers.ts'

// The defaults of migration 0001 (policy_settings.eligibility_gates).
const DEFAULT_GATES: Record<string, GateDefinition[]> = {
  startup: [{ gate: 'founded_within_years', years: 5 }, { gate: 'tier_below', tier: 'billion' }],
  innovative_growth: [{ gate: 'tier_at_least', tier: 'above_scale' }, { gate: 'rd_intensity_at_least', ratio: '0.03' }],
  leading_platform: [{ gate: 'tier_at_least', tier: 'billion' }]
}

const base: EligibilityFacts = { callYear: 2025, foundedOn: '2015-06-01', tierCode: 'hundred_million', operatingRevenue: '100000000.00', rdExpense: '5000000.00' }
const failedKeys = (program: string, facts: Partial<EligibilityFacts>) =>
  evaluateEligibility(DEFAULT_GATES[program], { ...base, ...facts }).failedGates.map(f => f.gate)

t.test('startup: founded no more than 5 years before the call year', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['founded in the call year', '2025-12-31', true],
    ['4 years before', '2021-01-01', true],
    ['exactly 5 years before (first day)', '2020-01-01', true],
    ['exactly 5 years before (last day)', '2020-12-31', true],
    ['6 years before (last day)', '2019-12-31', false],
    ['long ago', '1998-07-01', false]
  ]
  for (const [name, foundedOn, passes] of cases) {
    const failed = failedKeys('startup', { foundedOn, tierCode: 'below_scale' })
    t.equal(!failed.includes('founded_within_years'), passes, name)
  }
  const f = checkGate({ gate: 'founded_within_years', years: 5 }, { ...base, foundedOn: '2019-03-01' })
  t.match(f, { gate: 'founded_within_years', required: 5, actual: 6 })
  t.match(f?.message, /6 years before the call year.*at most 5/)
  t.match(f?.messageZh, /6 年/)
})

t.test('tier gates at every tier', async (t) => {
  // startup: below the billion tier; innovative_growth: at least above_scale; leading_platform: at least billion.
  const expected: Record<string, [startup: boolean, growth: boolean, leading: boolean]> = {
    below_scale: [true, false, false],
    above_scale: [true, true, false],
    hundred_million: [true, true, false],
    billion: [false, true, true],
    ten_billion: [false, true, true]
  }
  for (const tier of TIER_CODES) {
    const [s, g, l] = expected[tier]
    t.equal(!failedKeys('startup', { tierCode: tier, foundedOn: '2022-01-01' }).includes('tier_below'), s, `startup, ${tier}`)
    t.equal(!failedKeys('innovative_growth', { tierCode: tier }).includes('tier_at_least'), g, `innovative_growth, ${tier}`)
    t.equal(!failedKeys('leading_platform', { tierCode: tier }).includes('tier_at_least'), l, `leading_platform, ${tier}`)
  }
  const f = checkGate({ gate: 'tier_at_least', tier: 'billion' }, { ...base, tierCode: 'hundred_million' })
  t.match(f, { gate: 'tier_at_least', required: 'billion', actual: 'hundred_million' })
  t.match(f?.message, /hundred-million tier.*at least billion tier/)
  t.match(f?.messageZh, /十亿级/)
})

t.test('innovative_growth: R&D spending ≥ 3% of operating revenue, exactly', async (t) => {
  const cases: Array<[string, string, string, boolean, string | null]> = [
    ['exactly 3%', '100000000.00', '3000000.00', true, null],
    ['one fen below 3%', '100000000.00', '2999999.99', false, '0.0299'],
    ['2.99%', '100000000.00', '2990000.00', false, '0.0299'],
    ['1%', '150000000.00', '1500000.00', false, '0.0100'],
    ['2.9994% is shown rounded down, never as the threshold', '33.34', '1.00', false, '0.0299'],
    ['3% of an odd amount', '33.33', '0.99', false, '0.0297'],
    ['above 3%', '20000000.00', '4000000.00', true, null],
    ['no revenue at all', '0.00', '0.00', false, null],
    ['all revenue spent on R&D', '5000000.00', '5000000.00', true, null]
  ]
  for (const [name, operatingRevenue, rdExpense, passes, actual] of cases) {
    const f = checkGate({ gate: 'rd_intensity_at_least', ratio: '0.03' }, { ...base, operatingRevenue, rdExpense })
    t.equal(f == null, passes, name)
    if (!passes) t.equal(f?.actual, actual, `${name}: actual`)
  }
  t.match(checkGate({ gate: 'rd_intensity_at_least', ratio: '0.03' }, { ...base, operatingRevenue: '33.34', rdExpense: '1.00' })?.message, /is 2\.99% of/)
  const onePercent = checkGate({ gate: 'rd_intensity_at_least', ratio: '0.03' }, { ...base, operatingRevenue: '150000000.00', rdExpense: '1500000.00' })
  t.equal(onePercent?.message, 'R&D spending is 1% of operating revenue; the program requires at least 3%')
  t.equal(onePercent?.messageZh, '研发投入占营业收入比重为 1%,本计划要求不低于 3%')
  const zero = checkGate({ gate: 'rd_intensity_at_least', ratio: '0.03' }, { ...base, operatingRevenue: '0.00', rdExpense: '0.00' })
  t.match(zero?.message, /cannot be computed/)
})

t.test('every failed gate is listed, in policy order', async (t) => {
  const r = evaluateEligibility(DEFAULT_GATES.innovative_growth, { ...base, tierCode: 'below_scale', operatingRevenue: '3000000.00', rdExpense: '30000.00' })
  t.equal(r.passed, false)
  t.same(r.failedGates.map(f => f.gate), ['tier_at_least', 'rd_intensity_at_least'])
  const s = evaluateEligibility(DEFAULT_GATES.startup, { ...base, foundedOn: '2001-01-01', tierCode: 'ten_billion' })
  t.same(s.failedGates.map(f => f.gate), ['founded_within_years', 'tier_below'])
  t.same(evaluateEligibility([], base), { passed: true, failedGates: [] }, 'no gates: eligible')
  t.same(evaluateEligibility(DEFAULT_GATES.innovative_growth, base), { passed: true, failedGates: [] })
})

t.test('property: the R&D gate passes exactly when rd × 100 ≥ 3 × revenue (integers, no floats)', async (t) => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.bigInt({ min: 0n, max: 10n ** 14n }), (revenue, rd) => {
    const f = checkGate({ gate: 'rd_intensity_at_least', ratio: '0.03' }, { ...base, operatingRevenue: fromFen(revenue), rdExpense: fromFen(rd) })
    return (f == null) === (rd * 100n >= revenue * 3n)
  }))
})

t.test('property: a higher tier never fails tier_at_least where a lower one passed, and vice versa for tier_below', async (t) => {
  const tier = fc.constantFrom(...TIER_CODES)
  fc.assert(fc.property(tier, tier, tier, (a, b, gateTier) => {
    const [lo, hi] = TIER_CODES.indexOf(a) <= TIER_CODES.indexOf(b) ? [a, b] : [b, a]
    const atLeast = (x: string) => checkGate({ gate: 'tier_at_least', tier: gateTier }, { ...base, tierCode: x }) == null
    const below = (x: string) => checkGate({ gate: 'tier_below', tier: gateTier }, { ...base, tierCode: x }) == null
    return (!atLeast(lo) || atLeast(hi)) && (!below(hi) || below(lo)) && atLeast(lo) !== below(lo)
  }))
})

t.test('gate configuration checks', async (t) => {
  const programs = ['startup', 'innovative_growth', 'leading_platform']
  t.same(gateConfigProblems(DEFAULT_GATES, programs), [])
  t.same(gateConfigProblems({ ...DEFAULT_GATES, startup: [] }, programs), [], 'a program without gates is explicit')
  const { leading_platform: _, ...missing } = DEFAULT_GATES
  t.same(gateConfigProblems(missing, programs), [{ field: 'leading_platform', message: 'is missing (use [] for a program without gates)' }])
  t.same(gateConfigProblems({ ...DEFAULT_GATES, blockchain: [] }, programs), [{ field: 'blockchain', message: 'is not a program' }])
  t.same(gateConfigProblems({ ...DEFAULT_GATES, startup: [{ gate: 'tier_below', tier: 'billion' }, { gate: 'tier_below', tier: 'hundred_million' }] }, programs),
    [{ field: 'startup.1.gate', message: 'tier_below appears twice' }])
})
