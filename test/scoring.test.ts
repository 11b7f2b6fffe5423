import t from 'tap'
import fc from 'fast-check'
import { aggregateJudged, aggregateScores, checkJudgedScores, parsePoints, type ReviewerScores } from '../server/domain/scoring.ts'
import { autoScore, rubricMaximum, toHundredths, type AutoScore, type Rubric } from '../server/domain/rubrics.ts'

// A small rubric: two auto indicators, two judged ones, two groups.
const RUBRIC: Rubric = {
  indicators: [
    { key: 'rd', nameZh: '研发', nameEn: 'R&D', group: 'innovation', kind: 'auto', max: 20, source: 'rd_intensity', bands: [{ atLeast: '0.05', points: 20 }, { atLeast: '0.02', points: 10 }] },
    { key: 'novelty', nameZh: '先进性', nameEn: 'Novelty', group: 'innovation', kind: 'judged', max: 30 },
    { key: 'growth', nameZh: '增长', nameEn: 'Growth', group: 'growth', kind: 'auto', max: 20, source: 'revenue_growth', bands: [{ atLeast: '0.10', points: 20 }] },
    { key: 'market', nameZh: '市场', nameEn: 'Market', group: 'growth', kind: 'judged', max: 30 }
  ],
  groupMinimums: { innovation: 20, growth: 15 },
  passMark: 60,
  gradeBands: [{ grade: 'A', min: 85 }, { grade: 'B', min: 75 }, { grade: 'C', min: 60 }, { grade: 'D', min: 0 }]
}

const auto = (rd: string, growth: string): AutoScore => ({
  indicators: [
    { key: 'rd', group: 'innovation', points: rd, max: 20, value: null },
    { key: 'growth', group: 'growth', points: growth, max: 20, value: null }
  ],
  total: ''
})
const reviews = (...s: Array<[number, number]>): ReviewerScores[] => s.map(([novelty, market], i) => ({ reviewerId: `r${i}`, scores: { novelty, market } }))

t.test('judged points: mean, rounded half up to a hundredth; trimmed from 5 reviewers', async (t) => {
  const table: Array<[string, number[], number]> = [
    ['one', [1250], 1250],
    ['two', [1000, 2000], 1500],
    ['three, 10.333…', [1000, 1000, 1100], 1033],
    ['three, 10.666…', [1000, 1100, 1100], 1067],
    ['half a hundredth rounds up', [1000, 1001], 1001],
    ['four: plain mean, no trimming', [0, 1000, 1000, 3000], 1250],
    ['five: without the highest and lowest', [0, 1000, 1000, 1000, 3000], 1000],
    ['six: drops one highest, one lowest', [0, 0, 1000, 2000, 3000, 3000], 1500],
    ['five equal', [700, 700, 700, 700, 700], 700]
  ]
  for (const [name, values, expected] of table) t.equal(aggregateJudged(values), expected, name)
})

t.test('aggregate: totals, pass, grades and disagreement, by hand', async (t) => {
  // auto 20 + 10 = 30; judged novelty mean(25, 20) = 22.5, market mean(20, 15) = 17.5 → 40; total 70 → C
  const s = aggregateScores(RUBRIC, auto('20.00', '10.00'), reviews([25, 20], [20, 15]), 15)
  t.equal(s.auto, '30.00')
  t.equal(s.judged, '40.00')
  t.equal(s.total, '70.00')
  t.equal(s.grade, 'C')
  t.equal(s.pass, true)
  t.equal(s.spread, '10.00')
  t.equal(s.disagreement, false)
  t.same(s.groups, { innovation: { points: '42.50', minimum: '20.00', met: true }, growth: { points: '27.50', minimum: '15.00', met: true } })
  t.same(s.indicators.map(i => i.points), ['20.00', '22.50', '10.00', '17.50'])
})

t.test('pass mark and group minimums at their edges', async (t) => {
  const table: Array<[string, AutoScore, ReviewerScores[], string, boolean, string]> = [
    ['exactly the pass mark', auto('20.00', '10.00'), reviews([15, 15]), '60.00', true, 'C'],
    ['a hundredth below the pass mark', auto('20.00', '10.00'), reviews([14.99, 15]), '59.99', false, 'D'],
    ['high total, growth group short (14.99 < 15)', auto('20.00', '0.00'), reviews([30, 14.99]), '64.99', false, 'C'],
    ['growth group exactly at its minimum', auto('20.00', '0.00'), reviews([30, 15]), '65.00', true, 'C'],
    ['innovation group short (19.99 < 20)', auto('0.00', '20.00'), reviews([19.99, 30]), '69.99', false, 'C'],
    ['A at 85', auto('20.00', '20.00'), reviews([25, 20]), '85.00', true, 'A'],
    ['B at 84.99', auto('20.00', '20.00'), reviews([24.99, 20]), '84.99', true, 'B'],
    ['maximum', auto('20.00', '20.00'), reviews([30, 30], [30, 30]), '100.00', true, 'A']
  ]
  for (const [name, a, r, total, pass, grade] of table) {
    const s = aggregateScores(RUBRIC, a, r, 15)
    t.equal(s.total, total, name)
    t.equal(s.pass, pass, name)
    t.equal(s.grade, grade, name)
  }
})

t.test('disagreement when the reviewers\' totals spread more than the setting', async (t) => {
  t.equal(aggregateScores(RUBRIC, auto('0.00', '0.00'), reviews([30, 30], [15, 30]), 15).disagreement, false, 'spread 15 = limit')
  t.equal(aggregateScores(RUBRIC, auto('0.00', '0.00'), reviews([30, 30], [14.99, 30]), 15).disagreement, true, 'spread 15.01')
  const five = aggregateScores(RUBRIC, auto('0.00', '0.00'), reviews([30, 30], [10, 10], [20, 20], [20, 20], [20, 20]), 15)
  t.equal(five.trimmed, true)
  t.equal(five.judged, '40.00', 'trimmed: the 60 and the 20 dropped')
  t.equal(five.disagreement, true, 'the outliers still count for the disagreement flag')
})

t.test('checkJudgedScores: every judged indicator, in range, two decimals', async (t) => {
  t.same(checkJudgedScores(RUBRIC, { novelty: 30, market: 0 }), [])
  t.same(checkJudgedScores(RUBRIC, { novelty: 30 }), [{ field: 'body.scores.market', message: 'is not scored yet' }])
  t.same(checkJudgedScores(RUBRIC, { novelty: 30 }, true), [], 'a draft may be partial')
  t.same(checkJudgedScores(RUBRIC, { novelty: 30.01, market: 1 }), [{ field: 'body.scores.novelty', message: 'must be between 0 and 30' }])
  t.same(checkJudgedScores(RUBRIC, { novelty: -0.01, market: 1 }), [{ field: 'body.scores.novelty', message: 'must be between 0 and 30' }])
  t.same(checkJudgedScores(RUBRIC, { novelty: 1.005, market: 1 }), [{ field: 'body.scores.novelty', message: 'at most two decimals' }])
  t.same(checkJudgedScores(RUBRIC, { novelty: 1, market: 1, rd: 5 }), [{ field: 'body.scores.rd', message: 'is not a judged indicator of this rubric' }])
  t.same(checkJudgedScores(RUBRIC, { novelty: '1', market: 1 }), [{ field: 'body.scores.novelty', message: 'must be a number' }])
  t.equal(parsePoints('12.5'), 1250)
  t.equal(parsePoints('-0.05'), -5)
})

const scoreArb = (max: number) => fc.integer({ min: 0, max: max * 100 }).map(h => h / 100)

t.test('property: a total never exceeds the rubric maximum, nor goes below the auto points', async (t) => {
  const maximum = toHundredths(rubricMaximum(RUBRIC))
  fc.assert(fc.property(
    fc.array(fc.tuple(scoreArb(30), scoreArb(30)), { minLength: 1, maxLength: 9 }),
    fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }),
    (scores, revenue, rd, prev) => {
      const fen = (n: bigint) => `${n / 100n}.${String(n % 100n).padStart(2, '0')}`
      const a = autoScore(RUBRIC, { year: 2025, operatingRevenue: fen(revenue), softwareRevenue: '0.00', rdExpense: fen(rd), exportRevenue: '0.00', employees: 1, rdStaff: 0, patents: 0, softwareCopyrights: 0, previous: { year: 2024, operatingRevenue: fen(prev) } })
      const s = aggregateScores(RUBRIC, a, reviews(...scores), 15)
      const total = parsePoints(s.total)
      return total <= maximum && total >= parsePoints(a.total) && parsePoints(s.auto) + parsePoints(s.judged) === total
    }), { numRuns: 500 })
  t.pass('held for 500 random panels')
})

t.test('property: the aggregate lies between the lowest and the highest judged score', async (t) => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }), (values) => {
    const a = aggregateJudged(values)
    return a >= Math.min(...values) && a <= Math.max(...values)
  }), { numRuns: 1000 })
  t.pass('held')
})
