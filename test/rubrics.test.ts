import t from 'tap'
import fc from 'fast-check'
import { autoScore, bandPoints, formatPoints, measure, rubricMaximum, toHundredths, validateRubric, gradeFor, type FrozenFigures, type Rubric } from '../server/domain/rubrics.ts'
import { fromFen, toFen } from '../server/domain/money.ts'

// The default innovative_growth rubric (db/migrations/0004_default_rubrics.sql),
// modelled on the national innovative-SME scheme.
export const NATIONAL: Rubric = {
  indicators: [
    { key: 'ip_count', nameZh: '有效知识产权数量', nameEn: 'IP', group: 'innovation', kind: 'auto', max: 10, source: 'ip_count', bands: [{ atLeast: '10', points: 10 }, { atLeast: '5', points: 8 }, { atLeast: '2', points: 5 }, { atLeast: '1', points: 3 }] },
    { key: 'ip_relevance', nameZh: '知识产权与主导产品关联度', nameEn: 'IP relevance', group: 'innovation', kind: 'judged', max: 10 },
    { key: 'rd_intensity', nameZh: '研发费用占营业收入比重', nameEn: 'R&D intensity', group: 'innovation', kind: 'auto', max: 20, source: 'rd_intensity', bands: [{ atLeast: '0.05', points: 20 }, { atLeast: '0.03', points: 15 }, { atLeast: '0.02', points: 10 }, { atLeast: '0.01', points: 5 }] },
    { key: 'revenue_growth', nameZh: '营业收入增长率', nameEn: 'Growth', group: 'growth', kind: 'auto', max: 20, source: 'revenue_growth', bands: [{ atLeast: '0.15', points: 20 }, { atLeast: '0.10', points: 15 }, { atLeast: '0.05', points: 10 }, { atLeast: '0', points: 5 }] },
    { key: 'debt_ratio', nameZh: '资产负债率', nameEn: 'Debt ratio', group: 'growth', kind: 'auto', max: 10, source: 'debt_ratio', bands: [{ atMost: '0.55', points: 10 }, { atMost: '0.75', points: 5 }] },
    { key: 'strategic_industry', nameZh: '主导产品所属领域', nameEn: 'Strategic industry', group: 'specialisation', kind: 'judged', max: 10 },
    { key: 'main_business_share', nameZh: '主营业务收入占比', nameEn: 'Main business share', group: 'specialisation', kind: 'auto', max: 20, source: 'main_business_share', bands: [{ atLeast: '0.70', points: 20 }, { atLeast: '0.60', points: 15 }, { atLeast: '0.55', points: 10 }, { atLeast: '0.50', points: 5 }] }
  ],
  groupMinimums: { innovation: 20, growth: 15, specialisation: 15 },
  passMark: 60,
  gradeBands: [{ grade: 'A', min: 85 }, { grade: 'B', min: 75 }, { grade: 'C', min: 60 }, { grade: 'D', min: 0 }]
}

const BASE: FrozenFigures = {
  year: 2025,
  operatingRevenue: '100000000.00',
  softwareRevenue: '80000000.00',
  rdExpense: '5000000.00',
  exportRevenue: '0.00',
  mainBusinessRevenue: '70000000.00',
  totalAssets: '100000000.00',
  totalLiabilities: '55000000.00',
  employees: 100,
  rdStaff: 40,
  patents: 6,
  softwareCopyrights: 4,
  previous: { year: 2024, operatingRevenue: '86956521.73' }
}

const pointsOf = (f: FrozenFigures, key: string) => autoScore(NATIONAL, f).indicators.find(i => i.key === key)
const fenBelow = (s: string) => fromFen(toFen(s) - 1n)
const fenAbove = (s: string) => fromFen(toFen(s) + 1n)

t.test('R&D intensity at every band edge (revenue 100,000,000.00)', async (t) => {
  const table: Array<[string, string]> = [
    ['5000000.00', '20.00'], [fenBelow('5000000.00'), '15.00'],
    ['3000000.00', '15.00'], [fenBelow('3000000.00'), '10.00'],
    ['2000000.00', '10.00'], [fenBelow('2000000.00'), '5.00'],
    ['1000000.00', '5.00'], [fenBelow('1000000.00'), '0.00'],
    ['0.00', '0.00'], ['100000000.00', '20.00']
  ]
  for (const [rd, points] of table) t.equal(pointsOf({ ...BASE, rdExpense: rd }, 'rd_intensity')?.points, points, `rd ${rd}`)
  t.equal(pointsOf(BASE, 'rd_intensity')?.value, '0.0500')
})

t.test('revenue growth against the previous year at every band edge', async (t) => {
  const prev = { year: 2024, operatingRevenue: '100000000.00' }
  const table: Array<[string, string]> = [
    ['115000000.00', '20.00'], [fenBelow('115000000.00'), '15.00'],
    ['110000000.00', '15.00'], [fenBelow('110000000.00'), '10.00'],
    ['105000000.00', '10.00'], [fenBelow('105000000.00'), '5.00'],
    ['100000000.00', '5.00'], [fenBelow('100000000.00'), '0.00'],
    ['0.00', '0.00']
  ]
  for (const [rev, points] of table) t.equal(pointsOf({ ...BASE, operatingRevenue: rev, rdExpense: '0.00', mainBusinessRevenue: '0.00', previous: prev }, 'revenue_growth')?.points, points, `revenue ${rev}`)
  const none = pointsOf({ ...BASE, previous: null }, 'revenue_growth')
  t.same(none, { key: 'revenue_growth', group: 'growth', points: '0.00', max: 20, value: null, reason: 'no declaration for 2024' })
  const zero = pointsOf({ ...BASE, previous: { year: 2024, operatingRevenue: '0.00' } }, 'revenue_growth')
  t.equal(zero?.points, '0.00')
  t.equal(zero?.reason, 'operating revenue of 2024 is zero')
  t.equal(pointsOf({ ...BASE, operatingRevenue: '90000000.00', previous: prev }, 'revenue_growth')?.value, '-0.1000')
})

t.test('debt ratio: less is better, inclusive upper bounds', async (t) => {
  const table: Array<[string, string]> = [
    ['0.00', '10.00'], ['55000000.00', '10.00'], [fenAbove('55000000.00'), '5.00'],
    ['75000000.00', '5.00'], [fenAbove('75000000.00'), '0.00'], ['150000000.00', '0.00']
  ]
  for (const [liab, points] of table) t.equal(pointsOf({ ...BASE, totalLiabilities: liab }, 'debt_ratio')?.points, points, `liabilities ${liab}`)
  t.equal(pointsOf({ ...BASE, totalAssets: null }, 'debt_ratio')?.reason, 'total assets or liabilities not declared')
  t.equal(pointsOf({ ...BASE, totalAssets: '0.00' }, 'debt_ratio')?.reason, 'total assets are zero')
})

t.test('main-business share and IP count at every band edge', async (t) => {
  const share: Array<[string, string]> = [
    ['70000000.00', '20.00'], [fenBelow('70000000.00'), '15.00'], ['60000000.00', '15.00'], [fenBelow('60000000.00'), '10.00'],
    ['55000000.00', '10.00'], [fenBelow('55000000.00'), '5.00'], ['50000000.00', '5.00'], [fenBelow('50000000.00'), '0.00']
  ]
  for (const [mb, points] of share) t.equal(pointsOf({ ...BASE, mainBusinessRevenue: mb }, 'main_business_share')?.points, points, `main business ${mb}`)
  t.equal(pointsOf({ ...BASE, mainBusinessRevenue: null }, 'main_business_share')?.reason, 'main-business revenue not declared')
  const ip: Array<[number, number, string]> = [[10, 0, '10.00'], [9, 0, '8.00'], [3, 2, '8.00'], [4, 0, '5.00'], [1, 1, '5.00'], [0, 1, '3.00'], [0, 0, '0.00']]
  for (const [patents, copyrights, points] of ip) t.equal(pointsOf({ ...BASE, patents, softwareCopyrights: copyrights }, 'ip_count')?.points, points, `ip ${patents}+${copyrights}`)
})

t.test('zero revenue scores ratios 0 with a reason, never throws', async (t) => {
  const s = autoScore(NATIONAL, { ...BASE, operatingRevenue: '0.00', rdExpense: '0.00', mainBusinessRevenue: '0.00' })
  t.equal(s.indicators.find(i => i.key === 'rd_intensity')?.reason, 'operating revenue is zero')
  t.equal(s.indicators.length, 5, 'only auto indicators')
})

t.test('the whole auto score, by hand', async (t) => {
  // ip 10 → 10; rd 5% → 20; growth 100000000/86956521.73 - 1 = 15.000000013% → 20; debt 55% → 10; main business 70% → 20
  const s = autoScore(NATIONAL, BASE)
  // One fen more last year and growth is 14.99999999% (a float could round either way): 15 points.
  t.equal(pointsOf({ ...BASE, previous: { year: 2024, operatingRevenue: '86956521.74' } }, 'revenue_growth')?.points, '15.00')
  t.same(s.indicators.map(i => [i.key, i.points]), [['ip_count', '10.00'], ['rd_intensity', '20.00'], ['revenue_growth', '20.00'], ['debt_ratio', '10.00'], ['main_business_share', '20.00']])
  t.equal(s.total, '80.00')
  t.equal(rubricMaximum(NATIONAL), 100)
})

t.test('other measures', async (t) => {
  const f = { ...BASE, exportRevenue: '12345678.90', employees: 0 }
  t.same(measure('export_share', f), { value: { num: 1234567890n, den: 10000000000n }, display: '0.1235' })
  t.same(measure('rd_staff_share', f), { value: null, reason: 'no employees declared' })
  t.equal((measure('operating_revenue', f) as { display: string }).display, '100000000.00')
  t.equal((measure('software_share', f) as { display: string }).display, '0.8000')
  t.equal((measure('employees', BASE) as { display: string }).display, '100')
})

t.test('grade bands at their edges', async (t) => {
  const table: Array<[string, string]> = [['100.00', 'A'], ['85.00', 'A'], ['84.99', 'B'], ['75.00', 'B'], ['74.99', 'C'], ['60.00', 'C'], ['59.99', 'D'], ['0.00', 'D']]
  for (const [total, grade] of table) t.equal(gradeFor(NATIONAL.gradeBands, toHundredths(Number(total))), grade, total)
})

t.test('validateRubric refuses every kind of broken rubric', async (t) => {
  t.same(validateRubric(NATIONAL), [])
  const ind = NATIONAL.indicators
  const cases: Array<[string, Rubric, string, RegExp]> = [
    ['duplicate key', { ...NATIONAL, indicators: [...ind, { ...ind[1] }] }, 'body.indicators.7.key', /duplicate/],
    ['bands not descending', { ...NATIONAL, indicators: [{ ...ind[2], bands: [{ atLeast: '0.03', points: 15 }, { atLeast: '0.05', points: 20 }] }, ...ind.slice(1)] }, 'body.indicators.0.bands.1.atLeast', /descending/],
    ['atMost bands not ascending', { ...NATIONAL, indicators: [{ ...ind[4], bands: [{ atMost: '0.75', points: 5 }, { atMost: '0.55', points: 10 }] }, ...ind.slice(1)] }, 'body.indicators.0.bands.1.atMost', /ascending/],
    ['mixed bands', { ...NATIONAL, indicators: [{ ...ind[4], bands: [{ atMost: '0.55', points: 10 }, { atLeast: '0.75', points: 5 }] }, ...ind.slice(1)] }, 'body.indicators.0.bands', /either atLeast/],
    ['band above max', { ...NATIONAL, indicators: [{ ...ind[0], bands: [{ atLeast: '10', points: 11 }] }, ...ind.slice(1)] }, 'body.indicators.0.bands.0.points', /maximum 10/],
    ['auto without source', { ...NATIONAL, indicators: [{ ...ind[0], source: undefined }, ...ind.slice(1)] }, 'body.indicators.0.source', /names the measure/],
    ['auto without bands', { ...NATIONAL, indicators: [{ ...ind[0], bands: [] }, ...ind.slice(1)] }, 'body.indicators.0.bands', /at least one band/],
    ['judged with bands', { ...NATIONAL, indicators: [{ ...ind[1], bands: [{ atLeast: '1', points: 1 }] }, ...ind.slice(1)] }, 'body.indicators.0.bands', /no bands/],
    ['max with three decimals', { ...NATIONAL, indicators: [{ ...ind[1], max: 10.005 }, ...ind.slice(1)] }, 'body.indicators.0.max', /two decimals/],
    ['minimum for a missing group', { ...NATIONAL, groupMinimums: { ...NATIONAL.groupMinimums, platform: 5 } }, 'body.groupMinimums.platform', /no indicator/],
    ['unreachable group minimum', { ...NATIONAL, groupMinimums: { ...NATIONAL.groupMinimums, growth: 30.01 } }, 'body.groupMinimums.growth', /maximum 30/],
    ['pass mark above maximum', { ...NATIONAL, passMark: 100.01 }, 'body.passMark', /maximum 100/],
    ['grades not descending', { ...NATIONAL, gradeBands: [{ grade: 'A', min: 75 }, { grade: 'B', min: 85 }, { grade: 'D', min: 0 }] }, 'body.gradeBands.1.min', /descending/],
    ['lowest grade above 0', { ...NATIONAL, gradeBands: [{ grade: 'A', min: 85 }, { grade: 'B', min: 60 }] }, 'body.gradeBands.1.min', /starts at 0/],
    ['duplicate grade', { ...NATIONAL, gradeBands: [{ grade: 'A', min: 85 }, { grade: 'A', min: 0 }] }, 'body.gradeBands.1.grade', /duplicate/]
  ]
  for (const [name, rubric, field, message] of cases) {
    const problems = validateRubric(rubric)
    const hit = problems.find(p => p.field === field)
    t.ok(hit, `${name}: ${JSON.stringify(problems)}`)
    if (hit != null) t.match(hit.message, message, name)
  }
  t.same(validateRubric({ ...NATIONAL, passMark: 100 }), [], 'pass mark at the maximum is fine')
})

const figuresArb: fc.Arbitrary<FrozenFigures> = fc.record({
  year: fc.integer({ min: 2001, max: 2040 }),
  operatingRevenue: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen),
  softwareRevenue: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen),
  rdExpense: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen),
  exportRevenue: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen),
  mainBusinessRevenue: fc.option(fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen)),
  totalAssets: fc.option(fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen)),
  totalLiabilities: fc.option(fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen)),
  employees: fc.integer({ min: 0, max: 100000 }),
  rdStaff: fc.integer({ min: 0, max: 100000 }),
  patents: fc.integer({ min: 0, max: 1000 }),
  softwareCopyrights: fc.integer({ min: 0, max: 1000 }),
  previous: fc.option(fc.record({ year: fc.constant(2000), operatingRevenue: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(fromFen) }))
})

t.test('property: an auto score never exceeds its indicators\' maximums, never throws', async (t) => {
  fc.assert(fc.property(figuresArb, (f) => {
    const s = autoScore(NATIONAL, f)
    for (const i of s.indicators) if (toHundredths(Number(i.points)) > toHundredths(i.max) || Number(i.points) < 0) return false
    return toHundredths(Number(s.total)) <= toHundredths(rubricMaximum(NATIONAL))
  }), { numRuns: 500 })
  t.pass('held for 500 random declarations')
})

t.test('property: more R&D never earns fewer points (atLeast bands are monotone)', async (t) => {
  const bands = NATIONAL.indicators[2].bands ?? []
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (a, b,
    den) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    return bandPoints(bands, { num: lo, den }) <= bandPoints(bands, { num: hi, den })
  }), { numRuns: 500 })
  t.equal(formatPoints(1250), '12.50')
  t.equal(formatPoints(5), '0.05')
})
