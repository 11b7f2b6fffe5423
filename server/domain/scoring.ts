import { toScaled } from './decimal.ts'
import { formatPoints, gradeFor, toHundredths, type AutoScore, type Rubric } from './rubrics.ts'

/**
 * Aggregation of a graded application (issue 4): total = auto-scored points
 * + the aggregate of the reviewers' judged points per indicator (mean; a
 * trimmed mean without the highest and the lowest when 5 or more reviewers
 * graded, so one outlier cannot swing the result); `pass` when every group
 * minimum is met and the total reaches the pass mark; a grade band from the
 * total; disagreement when the reviewers' own totals spread more than the
 * configured number of points. All arithmetic in integer hundredths.
 */

/** Reviewers at or above this count are aggregated with a trimmed mean. */
export const TRIM_FROM_REVIEWERS = 5

export interface ReviewerScores { reviewerId: string, scores: Record<string, number> }

export interface IndicatorResult { key: string, group: string, kind: 'auto' | 'judged', points: string, max: number }
export interface GroupResult { points: string, minimum: string | null, met: boolean }

export interface ApplicationScore {
  auto: string
  judged: string
  total: string
  pass: boolean
  grade: string
  disagreement: boolean
  /** Highest minus lowest of the reviewers' judged totals. */
  spread: string
  reviewers: number
  trimmed: boolean
  indicators: IndicatorResult[]
  groups: Record<string, GroupResult>
}

/** "20.00" → 2000. */
export function parsePoints (s: string): number {
  const h = toScaled(s, 2)
  if (h == null) throw new RangeError(`not points: ${s}`)
  return Number(h)
}

/** Mean of non-negative hundredths, rounded half up to a hundredth. */
function meanHalfUp (values: number[]): number {
  if (values.length === 0) return 0
  const sum = values.reduce((a, b) => a + b, 0)
  return Math.floor((2 * sum + values.length) / (2 * values.length))
}

/**
 * The aggregate of one indicator's judged points (hundredths): the mean, or
 * with TRIM_FROM_REVIEWERS or more values the mean without one highest and
 * one lowest value.
 */
export function aggregateJudged (values: number[]): number {
  if (values.length >= TRIM_FROM_REVIEWERS) {
    const sorted = [...values].sort((a, b) => a - b)
    return meanHalfUp(sorted.slice(1, -1))
  }
  return meanHalfUp(values)
}

/**
 * Everything wrong with one reviewer's judged scores for a submit: every
 * judged indicator scored, 0..max, at most two decimals, no unknown keys.
 * With `partial` (a draft save), missing indicators are allowed.
 */
export function checkJudgedScores (rubric: Pick<Rubric, 'indicators'>, scores: Record<string, unknown>, partial = false): Array<{ field: string, message: string }> {
  const out: Array<{ field: string, message: string }> = []
  const judged = new Map(rubric.indicators.filter(i => i.kind === 'judged').map(i => [i.key, i]))
  for (const [key, value] of Object.entries(scores)) {
    const ind = judged.get(key)
    if (ind == null) { out.push({ field: `body.scores.${key}`, message: 'is not a judged indicator of this rubric' }); continue }
    if (typeof value !== 'number' || !Number.isFinite(value)) { out.push({ field: `body.scores.${key}`, message: 'must be a number' }); continue }
    if (value < 0 || value > ind.max) out.push({ field: `body.scores.${key}`, message: `must be between 0 and ${ind.max}` })
    else if (Math.abs(Math.round(value * 100) - value * 100) > 1e-6) out.push({ field: `body.scores.${key}`, message: 'at most two decimals' })
  }
  if (!partial) {
    for (const key of judged.keys()) if (!(key in scores)) out.push({ field: `body.scores.${key}`, message: 'is not scored yet' })
  }
  return out
}

/**
 * Aggregates the auto score and the submitted reviews of one application.
 * Assumes each review's scores passed checkJudgedScores; a missing judged
 * score counts as 0.
 */
export function aggregateScores (
  rubric: Rubric,
  auto: AutoScore,
  reviews: ReviewerScores[],
  disagreementPoints: number
): ApplicationScore {
  const autoByKey = new Map(auto.indicators.map(i => [i.key, parsePoints(i.points)]))
  const indicators: IndicatorResult[] = []
  const groupPoints = new Map<string, number>()
  let autoTotal = 0
  let judgedTotal = 0
  for (const ind of rubric.indicators) {
    let h: number
    if (ind.kind === 'auto') {
      h = Math.min(autoByKey.get(ind.key) ?? 0, toHundredths(ind.max))
      autoTotal += h
    } else {
      h = aggregateJudged(reviews.map(r => toHundredths(r.scores[ind.key] ?? 0)))
      judgedTotal += h
    }
    groupPoints.set(ind.group, (groupPoints.get(ind.group) ?? 0) + h)
    indicators.push({ key: ind.key, group: ind.group, kind: ind.kind, points: formatPoints(h), max: ind.max })
  }
  const total = autoTotal + judgedTotal
  const groups: Record<string, GroupResult> = {}
  let groupsMet = true
  for (const [group, points] of groupPoints) {
    const min = rubric.groupMinimums[group]
    const met = min == null || points >= toHundredths(min)
    if (!met) groupsMet = false
    groups[group] = { points: formatPoints(points), minimum: min == null ? null : formatPoints(toHundredths(min)), met }
  }
  const reviewerTotals = reviews.map(r => rubric.indicators
    .filter(i => i.kind === 'judged')
    .reduce((s, i) => s + toHundredths(r.scores[i.key] ?? 0), 0))
  const spread = reviewerTotals.length === 0 ? 0 : Math.max(...reviewerTotals) - Math.min(...reviewerTotals)
  return {
    auto: formatPoints(autoTotal),
    judged: formatPoints(judgedTotal),
    total: formatPoints(total),
    pass: groupsMet && total >= toHundredths(rubric.passMark),
    grade: gradeFor(rubric.gradeBands, total),
    disagreement: spread > toHundredths(disagreementPoints),
    spread: formatPoints(spread),
    reviewers: reviews.length,
    trimmed: reviews.length >= TRIM_FROM_REVIEWERS,
    indicators,
    groups
  }
}
