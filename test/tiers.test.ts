import t from 'tap'
import fc from 'fast-check'
import { classifyTier, thresholdsFor, tierRank, tierRuleProblems, TIER_CODES, type TierRule } from '../server/domain/tiers.ts'
import { DEFAULT_TIER_RULES } from './fixtures.ts'
import { fromFen, toFen } from '../server/domain/money.ts'

// The default rule set of db/migrations/0001_reference_data.sql.
const RULES = DEFAULT_TIER_RULES
const DOMAINS = ['ai', 'industrial_software', 'iot', 'big_data', 'cloud', 'internet', 'info_security', 'industry_apps']
const SUBSECTORS = ['industrial_software', 'info_security', 'big_data']

const oneFenBelow = (amount: string) => fromFen(toFen(amount) - 1n)

t.test('every threshold, exactly and one fen below, for every tier, year and domain', async (t) => {
  // [year, domain, threshold, tier at the threshold, tier one fen below]
  const table: Array<[number, string, string, string, string]> = []
  for (const year of [2000, 2018, 2021, 2022, 2025, 2040]) {
    for (const domain of DOMAINS) {
      table.push([year, domain, '10000000000.00', 'ten_billion', 'billion'])
      table.push([year, domain, '1000000000.00', 'billion', 'hundred_million'])
      table.push([year, domain, '100000000.00', 'hundred_million', 'above_scale'])
      const aboveScale = year <= 2021 || SUBSECTORS.includes(domain) ? '5000000.00' : '20000000.00'
      table.push([year, domain, aboveScale, 'above_scale', 'below_scale'])
    }
  }
  for (const [year, domain, threshold, at, below] of table) {
    t.equal(classifyTier(threshold, year, [domain], RULES), at, `${year} ${domain} ${threshold}`)
    t.equal(classifyTier(oneFenBelow(threshold), year, [domain], RULES), below, `${year} ${domain} ${oneFenBelow(threshold)}`)
  }
  t.equal(table.length, 6 * 8 * 4)
})

t.test("the issue's examples (2025)", async (t) => {
  const cases: Array<[string, string[], string]> = [
    ['150000000.00', ['ai'], 'hundred_million'],
    ['99999999.99', ['ai'], 'above_scale'],
    ['6000000.00', ['big_data'], 'above_scale'],
    ['6000000.00', ['ai'], 'below_scale'],
    ['0.00', ['ai'], 'below_scale'],
    ['0', ['big_data'], 'below_scale'],
    ['99999999999999.99', ['ai'], 'ten_billion']
  ]
  for (const [revenue, domains, tier] of cases) t.equal(classifyTier(revenue, 2025, domains, RULES), tier, `${revenue} ${domains.join(',')}`)
})

t.test('rule periods: the 2018 rule ends with 2021, the 2022 rules start', async (t) => {
  const cases: Array<[number, string, string[], string]> = [
    [2021, '19999999.99', ['ai'], 'above_scale'],
    [2022, '19999999.99', ['ai'], 'below_scale'],
    [2021, '5000000.00', ['ai'], 'above_scale'],
    [2022, '5000000.00', ['ai'], 'below_scale'],
    [2021, '4999999.99', ['big_data'], 'below_scale'],
    [2022, '5000000.00', ['big_data'], 'above_scale'],
    // Before any rule was in force nothing reaches a threshold.
    [1999, '50000000000.00', ['ai'], 'below_scale']
  ]
  for (const [year, revenue, domains, tier] of cases) t.equal(classifyTier(revenue, year, domains, RULES), tier, `${year} ${revenue} ${domains.join(',')}`)
})

t.test('multi-domain firms: any sub-sector domain gives the lower threshold', async (t) => {
  const cases: Array<[string[], string]> = [
    [['ai', 'big_data'], 'above_scale'],
    [['big_data', 'ai'], 'above_scale'],
    [['ai', 'iot', 'cloud'], 'below_scale'],
    [['info_security', 'industrial_software'], 'above_scale'],
    [[], 'below_scale']
  ]
  for (const [domains, tier] of cases) t.equal(classifyTier('6000000.00', 2025, domains, RULES), tier, domains.join(','))
  // Two overrides for the same tier: the lowest one wins.
  const rules = [...RULES, { tierCode: 'above_scale', minRevenue: '3000000.00', fromYear: 2022, toYear: null, domainCode: 'cloud' }]
  t.equal(classifyTier('3000000.00', 2025, ['big_data', 'cloud'], rules), 'above_scale')
  t.equal(classifyTier('3000000.00', 2025, ['big_data'], rules), 'below_scale')
  t.equal(thresholdsFor(rules, 2025, ['big_data', 'cloud']).get('above_scale'), 300000000n)
})

t.test('an override replaces the general rule even when it asks for more', async (t) => {
  const rules: TierRule[] = [
    { tierCode: 'above_scale', minRevenue: '20000000.00', fromYear: 2022, toYear: null, domainCode: null },
    { tierCode: 'above_scale', minRevenue: '30000000.00', fromYear: 2022, toYear: null, domainCode: 'internet' }
  ]
  t.equal(classifyTier('25000000.00', 2025, ['internet'], rules), 'below_scale')
  t.equal(classifyTier('25000000.00', 2025, ['ai'], rules), 'above_scale')
  t.equal(classifyTier('30000000.00', 2025, ['internet'], rules), 'above_scale')
})

t.test('rules for unknown tiers are ignored; malformed revenue throws', async (t) => {
  const rules = [...RULES, { tierCode: 'trillion', minRevenue: '1.00', fromYear: 2000, toYear: null, domainCode: null }]
  t.equal(classifyTier('2.00', 2025, ['ai'], rules), 'below_scale')
  t.throws(() => classifyTier('1e9', 2025, ['ai'], RULES), RangeError)
  t.throws(() => classifyTier('12.345', 2025, ['ai'], RULES), RangeError)
})

const fenArb = fc.bigInt({ min: 0n, max: 10n ** 15n })
const ruleArb: fc.Arbitrary<TierRule> = fc.record({
  tierCode: fc.constantFrom(...TIER_CODES),
  minRevenue: fc.bigInt({ min: 1n, max: 10n ** 13n }).map(fromFen),
  fromYear: fc.integer({ min: 2000, max: 2030 }),
  span: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  domainCode: fc.option(fc.constantFrom(...DOMAINS), { nil: null })
}).map(({ span, ...r }) => ({ ...r, toYear: span == null ? null : r.fromYear + span }))

t.test('property: more revenue never gives a lower tier, for any rule set', async (t) => {
  fc.assert(fc.property(
    fc.array(ruleArb, { maxLength: 12 }), fenArb, fenArb, fc.integer({ min: 1995, max: 2045 }), fc.subarray(DOMAINS),
    (rules, a, b, year, domains) => {
      const [low, high] = a <= b ? [a, b] : [b, a]
      return tierRank(classifyTier(fromFen(low), year, domains, rules)) <= tierRank(classifyTier(fromFen(high), year, domains, rules))
    }), { numRuns: 2000 })
  t.pass('monotone')
})

t.test('property: the result is always a known tier, and the highest threshold reached', async (t) => {
  fc.assert(fc.property(
    fc.array(ruleArb, { maxLength: 12 }), fenArb, fc.integer({ min: 1995, max: 2045 }), fc.subarray(DOMAINS),
    (rules, fen, year, domains) => {
      const tier = classifyTier(fromFen(fen), year, domains, rules)
      if (!TIER_CODES.includes(tier)) return false
      const thresholds = thresholdsFor(rules, year, domains)
      const reached = TIER_CODES.filter(c => (thresholds.get(c) ?? -1n) >= 0n && fen >= (thresholds.get(c) as bigint))
      const expected = reached.length === 0 ? 'below_scale' : reached[reached.length - 1]
      return tier === expected
    }), { numRuns: 2000 })
  t.pass('known tier')
})

t.test('property: with the default rules, adding a domain never lowers the tier', async (t) => {
  fc.assert(fc.property(fenArb, fc.integer({ min: 2000, max: 2040 }), fc.subarray(DOMAINS), fc.constantFrom(...DOMAINS), (fen, year, domains, extra) =>
    tierRank(classifyTier(fromFen(fen), year, [...domains, extra], RULES)) >= tierRank(classifyTier(fromFen(fen), year, domains, RULES))
  ), { numRuns: 1000 })
  t.pass('domains only help')
})

t.test('tierRuleProblems: the default rules are valid', async (t) => {
  t.same(tierRuleProblems(RULES, { domains: DOMAINS }), [])
  t.same(tierRuleProblems([], { domains: DOMAINS }), [])
})

t.test('tierRuleProblems: each kind of mistake, naming the field', async (t) => {
  const base = { minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: null }
  const cases: Array<[string, TierRule[], string, RegExp]> = [
    ['unknown tier', [{ ...base, tierCode: 'trillion' }], 'rules.0.tierCode', /unknown tier/],
    ['below_scale takes no rule', [{ ...base, tierCode: 'below_scale' }], 'rules.0.tierCode', /takes no rule/],
    ['unknown domain', [{ ...base, tierCode: 'above_scale', domainCode: 'blockchain' }], 'rules.0.domainCode', /unknown domain/],
    ['float-like money', [{ ...base, tierCode: 'above_scale', minRevenue: '5e6' }], 'rules.0.minRevenue', /decimal string/],
    ['three decimals', [{ ...base, tierCode: 'above_scale', minRevenue: '1.005' }], 'rules.0.minRevenue', /decimal string/],
    ['zero threshold', [{ ...base, tierCode: 'above_scale', minRevenue: '0.00' }], 'rules.0.minRevenue', /more than 0/],
    ['toYear before fromYear', [{ ...base, tierCode: 'above_scale', fromYear: 2022, toYear: 2021 }], 'rules.0.toYear', /before fromYear/],
    ['two general rules overlap', [
      { ...base, tierCode: 'above_scale', fromYear: 2000, toYear: 2022 },
      { ...base, tierCode: 'above_scale', fromYear: 2022, toYear: null }
    ], 'rules.1.fromYear', /overlaps rules.0/],
    ['two open-ended rules overlap', [
      { ...base, tierCode: 'billion', minRevenue: '1000000000.00', fromYear: 2030 },
      { ...base, tierCode: 'billion', minRevenue: '1000000000.00', fromYear: 2000 }
    ], 'rules.1.fromYear', /overlaps rules.0/],
    ['two overrides for one domain overlap', [
      { ...base, tierCode: 'above_scale', domainCode: 'big_data', fromYear: 2022, toYear: 2030 },
      { ...base, tierCode: 'above_scale', domainCode: 'big_data', fromYear: 2030, toYear: 2031 }
    ], 'rules.1.fromYear', /rules for domain big_data/],
    ['a higher tier needing less', [
      { ...base, tierCode: 'above_scale', minRevenue: '200000000.00', fromYear: 2000 },
      { ...base, tierCode: 'hundred_million', minRevenue: '100000000.00', fromYear: 2000 }
    ], 'rules.1.minRevenue', /in 2000, hundred_million needs 100000000.00 but above_scale already needs 200000000.00/],
    ['equal thresholds for two tiers', [
      { ...base, tierCode: 'above_scale', minRevenue: '100000000.00', fromYear: 2000 },
      { ...base, tierCode: 'hundred_million', minRevenue: '100000000.00', fromYear: 2000 }
    ], 'rules.1.minRevenue', /higher tier must need more/],
    ['a domain override out of order only from 2030', [
      { ...base, tierCode: 'hundred_million', minRevenue: '100000000.00', fromYear: 2000 },
      { ...base, tierCode: 'above_scale', minRevenue: '20000000.00', fromYear: 2000 },
      { ...base, tierCode: 'hundred_million', minRevenue: '10000000.00', fromYear: 2030, domainCode: 'cloud' }
    ], 'rules.2.minRevenue', /in 2030 for cloud firms/]
  ]
  for (const [name, rules, field, message] of cases) {
    const problems = tierRuleProblems(rules, { domains: DOMAINS })
    t.equal(problems.length, 1, `${name}: ${JSON.stringify(problems)}`)
    t.equal(problems[0]?.field, field, name)
    t.match(problems[0]?.message, message, name)
  }
})

t.test('tierRuleProblems: adjacent periods and different domains do not overlap', async (t) => {
  const rules: TierRule[] = [
    { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2000, toYear: 2021, domainCode: null },
    { tierCode: 'above_scale', minRevenue: '20000000.00', fromYear: 2022, toYear: null, domainCode: null },
    { tierCode: 'above_scale', minRevenue: '5000000.00', fromYear: 2022, toYear: null, domainCode: 'big_data' },
    { tierCode: 'above_scale', minRevenue: '6000000.00', fromYear: 2022, toYear: null, domainCode: 'cloud' }
  ]
  t.same(tierRuleProblems(rules, { domains: DOMAINS }), [])
})

t.test('property: a rule set tierRuleProblems accepts has strictly rising thresholds in every year', async (t) => {
  fc.assert(fc.property(fc.array(ruleArb, { maxLength: 6 }), fc.integer({ min: 1995, max: 2045 }), fc.constantFrom(...DOMAINS), (rules, year, domain) => {
    if (tierRuleProblems(rules, { domains: DOMAINS }).length > 0) return true
    for (const scope of [[], [domain]]) {
      const th = thresholdsFor(rules, year, scope)
      const mins = TIER_CODES.map(c => th.get(c)).filter((m): m is bigint => m != null)
      for (let i = 1; i < mins.length; i++) if (mins[i] <= mins[i - 1]) return false
    }
    return true
  }), { numRuns: 3000 })
  t.pass('ordered')
})
