import { compareDecimals, compareRationals, parseNonNegativeDecimal, ratio, type Rational } from './decimal.ts'
import { tierRank } from './tiers.ts'

/**
 * The plan's targets (docs/domain.md, table plan_targets) measured against one
 * year's declarations. Pure: the caller supplies the year's sums per tier.
 */
export const TARGET_MEASURES = [
  'firms_at_least_tier',
  'revenue_share_at_least_tier',
  'rd_to_software_revenue',
  'industry_revenue',
  'employees',
  'value_added_gdp_share'
] as const
export type TargetMeasure = typeof TARGET_MEASURES[number]

/** Measures whose definition needs a tier (the tier and every tier above it). */
export const TIERED_MEASURES: readonly TargetMeasure[] = ['firms_at_least_tier', 'revenue_share_at_least_tier']

/**
 * Value added and city GDP are not declared by firms: the registry cannot
 * measure them (they come from the statistics bureau).
 */
export const UNMEASURABLE: readonly TargetMeasure[] = ['value_added_gdp_share']

/** The unit each measure is expressed in; stored with the target. */
export const MEASURE_UNITS: Record<TargetMeasure, 'firms' | 'ratio' | 'CNY' | 'persons'> = {
  firms_at_least_tier: 'firms',
  revenue_share_at_least_tier: 'ratio',
  rd_to_software_revenue: 'ratio',
  industry_revenue: 'CNY',
  employees: 'persons',
  value_added_gdp_share: 'ratio'
}

/** Decimals shown for each unit. Ratios: 6 decimals, i.e. 4 of a percentage. */
const SCALE: Record<string, number> = { firms: 0, ratio: 6, CNY: 2, persons: 0 }

export type Comparator = 'gte' | 'gt' | 'lte' | 'lt'

export interface PlanTarget {
  key: string
  measure: string
  tierCode: string | null
  comparator: Comparator
  /** Decimal string (fraction for ratios, yuan for CNY). */
  goal: string
  unit: string
  dueYear: number
}

/** One tier's sums for the year. Money in fen. */
export interface TierSums {
  tierCode: string
  firms: number
  operatingRevenueFen: bigint
  softwareRevenueFen: bigint
  rdExpenseFen: bigint
  employees: bigint
}

export interface TargetResult {
  measurable: boolean
  /** Decimal string; null when unmeasurable or undefined this year (e.g. no software revenue at all). */
  value: string | null
  met: boolean | null
  /** goal − value as a decimal string (positive: still short of a "more than" goal); null with value. */
  gap: string | null
}

/** The measure's exact value as a fraction num/den, or null when it is undefined for the year. */
export function measureValue (measure: string, tierCode: string | null, sums: readonly TierSums[]): Rational | null {
  const atLeast = (s: TierSums) => tierCode != null && tierRank(s.tierCode) >= tierRank(tierCode)
  const total = (f: (s: TierSums) => bigint, only?: (s: TierSums) => boolean) =>
    sums.filter(s => only == null || only(s)).reduce((acc, s) => acc + f(s), 0n)
  switch (measure) {
    case 'firms_at_least_tier':
      return { num: total(s => BigInt(s.firms), atLeast), den: 1n }
    case 'revenue_share_at_least_tier': {
      const all = total(s => s.operatingRevenueFen)
      return all === 0n ? null : { num: total(s => s.operatingRevenueFen, atLeast), den: all }
    }
    case 'rd_to_software_revenue': {
      const software = total(s => s.softwareRevenueFen)
      return software === 0n ? null : { num: total(s => s.rdExpenseFen), den: software }
    }
    case 'industry_revenue':
      return { num: total(s => s.operatingRevenueFen), den: 100n }
    case 'employees':
      return { num: total(s => s.employees), den: 1n }
    default:
      return null
  }
}

/** Compares value with goal by the target's comparator, exactly (cross-multiplied integers). */
export function meetsGoal (value: Rational, goal: string, comparator: Comparator): boolean {
  const c = compareRationals(value, parseNonNegativeDecimal(goal))
  switch (comparator) {
    case 'gte': return c >= 0
    case 'gt': return c > 0
    case 'lte': return c <= 0
    case 'lt': return c < 0
  }
}

/** Measures one target with the year's sums: value, met, gap. */
export function evaluateTarget (target: PlanTarget, sums: readonly TierSums[]): TargetResult {
  if (UNMEASURABLE.includes(target.measure as TargetMeasure) || !(TARGET_MEASURES as readonly string[]).includes(target.measure)) {
    return { measurable: false, value: null, met: null, gap: null }
  }
  const value = measureValue(target.measure, target.tierCode, sums)
  if (value == null) return { measurable: true, value: null, met: null, gap: null }
  const scale = SCALE[target.unit] ?? 6
  const g = parseNonNegativeDecimal(target.goal)
  // goal − value = (g.num·v.den − v.num·g.den) / (g.den·v.den), rounded half up at the unit's scale.
  const gap = ratio(g.num * value.den - value.num * g.den, g.den * value.den, scale)
  return { measurable: true, value: ratio(value.num, value.den, scale), met: meetsGoal(value, target.goal, target.comparator), gap }
}

// ---------------------------------------------------------------------------
// A target set an administrator wants to store.

export interface TargetInput {
  key: string
  measure: string
  tierCode?: string | null
  comparator: Comparator
  goal: string
  dueYear: number
  labelZh: string
  labelEn: string
}

/** The meaning of a target set an administrator wants to store (the shape is checked by the schema). */
export function targetProblems (targets: TargetInput[]): Array<{ field: string, message: string }> {
  const problems: Array<{ field: string, message: string }> = []
  const seen = new Set<string>()
  targets.forEach((t, i) => {
    if (seen.has(t.key)) problems.push({ field: `body.targets.${i}.key`, message: `${t.key} appears twice` })
    seen.add(t.key)
    const tiered = (TIERED_MEASURES as readonly string[]).includes(t.measure)
    if (tiered && t.tierCode == null) problems.push({ field: `body.targets.${i}.tierCode`, message: `is required for ${t.measure}` })
    if (!tiered && t.tierCode != null) problems.push({ field: `body.targets.${i}.tierCode`, message: `is not used by ${t.measure}` })
    if (MEASURE_UNITS[t.measure as TargetMeasure] === 'ratio' && compareDecimals(t.goal, '1') > 0) {
      problems.push({ field: `body.targets.${i}.goal`, message: 'a ratio goal is a fraction between 0 and 1' })
    }
  })
  return problems
}
