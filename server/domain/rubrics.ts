import { compareRationals as compare, isDecimal, parseDecimal, ratio, type Rational } from './decimal.ts'
import { fromFen, toFen } from './money.ts'
import type { FieldError } from './errors.ts'
import type { DeclarationFigures } from './declarations.ts'

/**
 * Rubrics as data (docs/domain.md, "Grading"): indicators scored
 * automatically from a frozen declaration by bands, or judged by reviewers;
 * minimums per group; a pass mark; grade bands. Points are kept as integer
 * hundredths of a point in code and as two-decimal strings in replies, so no
 * sum ever drifts.
 */

export type MeasureKey =
  | 'rd_intensity' | 'revenue_growth' | 'debt_ratio' | 'main_business_share' | 'software_share'
  | 'ip_count' | 'rd_staff_share' | 'export_share' | 'operating_revenue' | 'employees'

export const MEASURES: Record<MeasureKey, { unit: 'ratio' | 'count' | 'yuan', en: string }> = {
  rd_intensity: { unit: 'ratio', en: 'R&D spending / operating revenue' },
  revenue_growth: { unit: 'ratio', en: 'operating revenue growth on the previous year\'s declaration' },
  debt_ratio: { unit: 'ratio', en: 'total liabilities / total assets' },
  main_business_share: { unit: 'ratio', en: 'main-business revenue / operating revenue' },
  software_share: { unit: 'ratio', en: 'software business revenue / operating revenue' },
  ip_count: { unit: 'count', en: 'patents + software copyrights' },
  rd_staff_share: { unit: 'ratio', en: 'R&D staff / employees' },
  export_share: { unit: 'ratio', en: 'export revenue / operating revenue' },
  operating_revenue: { unit: 'yuan', en: 'operating revenue (CNY)' },
  employees: { unit: 'count', en: 'employees' }
}

/** `atLeast`: inclusive lower bound (more is better); `atMost`: inclusive upper bound (less is better). */
export interface Band { atLeast?: string, atMost?: string, points: number }

export interface Indicator {
  key: string
  nameZh: string
  nameEn: string
  group: string
  kind: 'auto' | 'judged'
  max: number
  source?: MeasureKey
  bands?: Band[]
  /** What reviewers look for, in English and in Chinese (评审要点). */
  guidance?: string
  guidanceZh?: string
}

export interface GradeBand { grade: string, min: number }

export interface Rubric {
  indicators: Indicator[]
  groupMinimums: Record<string, number>
  passMark: number
  gradeBands: GradeBand[]
}

/**
 * The declaration as it stood when the application was submitted (money as
 * decimal strings of yuan), with the previous year's revenue when the firm
 * declared one.
 */
export interface FrozenFigures extends DeclarationFigures {
  year: number
  previous?: { year: number, operatingRevenue: string } | null
}

// ---------------------------------------------------------------------------
// Points: integer hundredths.

/** 12.5 → 1250. Throws on more than two decimals or a non-finite number. */
export function toHundredths (points: number): number {
  if (!Number.isFinite(points)) throw new RangeError(`not a number of points: ${points}`)
  const h = Math.round(points * 100)
  if (Math.abs(h - points * 100) > 1e-6) throw new RangeError(`more than two decimals: ${points}`)
  return h
}

export function hasAtMostTwoDecimals (points: number): boolean {
  try { toHundredths(points); return true } catch { return false }
}

/** 1250 → "12.50". */
export function formatPoints (hundredths: number): string {
  const neg = hundredths < 0
  const abs = Math.abs(hundredths)
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

// ---------------------------------------------------------------------------
// Exact measures: a rational num/den (den > 0), compared exactly with decimal thresholds.

export type Measurement = { value: Rational, display: string } | { value: null, reason: string }

function share (num: bigint, den: bigint, zeroReason: string): Measurement {
  if (den <= 0n) return { value: null, reason: zeroReason }
  return { value: { num, den }, display: ratio(num, den, 4) as string }
}

/** Measures one quantity from the frozen figures, or says why it cannot. */
export function measure (key: MeasureKey, f: FrozenFigures): Measurement {
  const revenue = toFen(f.operatingRevenue)
  switch (key) {
    case 'rd_intensity':
      return share(toFen(f.rdExpense), revenue, 'operating revenue is zero')
    case 'software_share':
      return share(toFen(f.softwareRevenue), revenue, 'operating revenue is zero')
    case 'export_share':
      return share(toFen(f.exportRevenue), revenue, 'operating revenue is zero')
    case 'main_business_share':
      if (f.mainBusinessRevenue == null) return { value: null, reason: 'main-business revenue not declared' }
      return share(toFen(f.mainBusinessRevenue), revenue, 'operating revenue is zero')
    case 'debt_ratio':
      if (f.totalAssets == null || f.totalLiabilities == null) return { value: null, reason: 'total assets or liabilities not declared' }
      return share(toFen(f.totalLiabilities), toFen(f.totalAssets), 'total assets are zero')
    case 'rd_staff_share':
      return share(BigInt(f.rdStaff), BigInt(f.employees), 'no employees declared')
    case 'revenue_growth': {
      if (f.previous == null) return { value: null, reason: `no declaration for ${f.year - 1}` }
      const prev = toFen(f.previous.operatingRevenue)
      return share(revenue - prev, prev, `operating revenue of ${f.previous.year} is zero`)
    }
    case 'ip_count': {
      const n = BigInt(f.patents + f.softwareCopyrights)
      return { value: { num: n, den: 1n }, display: String(n) }
    }
    case 'employees':
      return { value: { num: BigInt(f.employees), den: 1n }, display: String(f.employees) }
    case 'operating_revenue':
      return { value: { num: revenue, den: 100n }, display: fromFen(revenue) }
  }
}

/** The points a measured value earns: the first band it falls in, else 0. */
export function bandPoints (bands: readonly Band[], value: Rational): number {
  for (const b of bands) {
    if (b.atLeast != null && compare(value, parseDecimal(b.atLeast)) >= 0) return b.points
    if (b.atMost != null && compare(value, parseDecimal(b.atMost)) <= 0) return b.points
  }
  return 0
}

export interface AutoIndicatorScore {
  key: string
  group: string
  /** Two-decimal string. */
  points: string
  max: number
  /** The measured value (ratio with 4 decimals, count, or yuan); null when it could not be measured. */
  value: string | null
  /** Why the indicator scored 0 without a measurement (e.g. no previous year). */
  reason?: string
}

export interface AutoScore { indicators: AutoIndicatorScore[], total: string }

/** Scores every auto indicator of the rubric from the frozen figures. Pure. */
export function autoScore (rubric: Rubric, figures: FrozenFigures): AutoScore {
  let total = 0
  const indicators: AutoIndicatorScore[] = []
  for (const ind of rubric.indicators) {
    if (ind.kind !== 'auto' || ind.source == null) continue
    const m = measure(ind.source, figures)
    if (m.value == null) {
      indicators.push({ key: ind.key, group: ind.group, points: formatPoints(0), max: ind.max, value: null, reason: m.reason })
      continue
    }
    // A band never pays more than the indicator's maximum (validateRubric also refuses it).
    const h = Math.min(toHundredths(bandPoints(ind.bands ?? [], m.value)), toHundredths(ind.max))
    total += h
    indicators.push({ key: ind.key, group: ind.group, points: formatPoints(h), max: ind.max, value: m.display })
  }
  return { indicators, total: formatPoints(total) }
}

/** The highest total the rubric allows: the sum of the indicators' maximums. */
export function rubricMaximum (rubric: Pick<Rubric, 'indicators'>): number {
  return rubric.indicators.reduce((s, i) => s + toHundredths(i.max), 0) / 100
}

/** Maximum points per group, in hundredths. */
export function groupMaximums (rubric: Pick<Rubric, 'indicators'>): Map<string, number> {
  const out = new Map<string, number>()
  for (const i of rubric.indicators) out.set(i.group, (out.get(i.group) ?? 0) + toHundredths(i.max))
  return out
}

/** The grade whose band the total (hundredths) falls in; bands are highest first. */
export function gradeFor (gradeBands: readonly GradeBand[], totalHundredths: number): string {
  for (const b of gradeBands) if (totalHundredths >= toHundredths(b.min)) return b.grade
  return gradeBands[gradeBands.length - 1]?.grade ?? ''
}

/**
 * Everything wrong with a rubric, as field errors (empty when it is valid):
 * unique indicator keys; auto indicators name a measure and bands ordered
 * best first that never pay more than the maximum; judged ones have neither;
 * group minimums name existing groups and are reachable; the pass mark is
 * reachable; grade bands strictly descending down to 0.
 */
export function validateRubric (rubric: Rubric): FieldError[] {
  const out: FieldError[] = []
  const err = (field: string, message: string) => { out.push({ field, message }) }
  const keys = new Set<string>()
  rubric.indicators.forEach((ind, i) => {
    const at = `body.indicators.${i}`
    if (keys.has(ind.key)) err(`${at}.key`, `duplicate indicator key ${ind.key}`)
    keys.add(ind.key)
    if (!hasAtMostTwoDecimals(ind.max) || ind.max <= 0) err(`${at}.max`, 'must be positive with at most two decimals')
    if (ind.kind === 'judged') {
      if (ind.source != null) err(`${at}.source`, 'a judged indicator has no source measure')
      if (ind.bands != null) err(`${at}.bands`, 'a judged indicator has no bands')
      return
    }
    if (ind.source == null || !(ind.source in MEASURES)) err(`${at}.source`, 'an auto indicator names the measure it is scored from')
    const bands = ind.bands ?? []
    if (bands.length === 0) { err(`${at}.bands`, 'an auto indicator needs at least one band'); return }
    const lower = bands.every(b => b.atLeast != null && b.atMost == null)
    const upper = bands.every(b => b.atMost != null && b.atLeast == null)
    if (!lower && !upper) { err(`${at}.bands`, 'every band has either atLeast (all of them) or atMost (all of them)'); return }
    bands.forEach((b, j) => {
      const bound = (b.atLeast ?? b.atMost) as string
      if (!isDecimal(bound)) err(`${at}.bands.${j}`, 'bound is not a decimal')
      if (!hasAtMostTwoDecimals(b.points) || b.points < 0) err(`${at}.bands.${j}.points`, 'must be 0 or more with at most two decimals')
      else if (b.points > ind.max) err(`${at}.bands.${j}.points`, `more than the indicator's maximum ${ind.max}`)
      if (j > 0) {
        const prevBound = (bands[j - 1].atLeast ?? bands[j - 1].atMost) as string
        if (isDecimal(bound) && isDecimal(prevBound)) {
          const c = compare(parseDecimal(bound), parseDecimal(prevBound))
          if (lower && c >= 0) err(`${at}.bands.${j}.atLeast`, 'bands must be listed with strictly descending atLeast')
          if (upper && c <= 0) err(`${at}.bands.${j}.atMost`, 'bands must be listed with strictly ascending atMost')
        }
      }
    })
  })
  let maxima = new Map<string, number>()
  let maximum = 0
  if (out.length === 0) {
    maxima = groupMaximums(rubric)
    maximum = toHundredths(rubricMaximum(rubric))
  }
  for (const [group, min] of Object.entries(rubric.groupMinimums)) {
    const field = `body.groupMinimums.${group}`
    if (!rubric.indicators.some(i => i.group === group)) { err(field, `no indicator is in group ${group}`); continue }
    if (!hasAtMostTwoDecimals(min) || min < 0) err(field, 'must be 0 or more with at most two decimals')
    else if (maxima.has(group) && toHundredths(min) > (maxima.get(group) as number)) err(field, `more than the group's maximum ${(maxima.get(group) as number) / 100}`)
  }
  if (!hasAtMostTwoDecimals(rubric.passMark) || rubric.passMark < 0) err('body.passMark', 'must be 0 or more with at most two decimals')
  else if (out.length === 0 && toHundredths(rubric.passMark) > maximum) err('body.passMark', `more than the rubric's maximum ${maximum / 100}`)
  const grades = new Set<string>()
  rubric.gradeBands.forEach((g, i) => {
    if (grades.has(g.grade)) err(`body.gradeBands.${i}.grade`, `duplicate grade ${g.grade}`)
    grades.add(g.grade)
    if (!hasAtMostTwoDecimals(g.min)) err(`body.gradeBands.${i}.min`, 'at most two decimals')
    if (i > 0 && g.min >= rubric.gradeBands[i - 1].min) err(`body.gradeBands.${i}.min`, 'grade bands must be listed with strictly descending min')
  })
  const last = rubric.gradeBands[rubric.gradeBands.length - 1]
  if (last != null && last.min !== 0) err(`body.gradeBands.${rubric.gradeBands.length - 1}.min`, 'the lowest grade band starts at 0 so every total has a grade')
  return out
}
