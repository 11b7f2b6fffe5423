import { compareRatio, decimalAsPercent as percent, ratioRoundedDown } from './decimal.ts'
import { toFen } from './money.ts'
import { TIER_CODES, tierRank, type TierCode } from './tiers.ts'

/**
 * Eligibility gates: hard criteria checked at submit, before any review
 * (docs/domain.md, "Grading"). Which gates apply to which program
 * is policy data (policy_settings.eligibility_gates, migration 0001); this
 * module only knows what each kind of gate means.
 *
 * Defaults (issue 3): startup — founded no more than 5 years before the call
 * year and below the billion tier; innovative_growth — at least above_scale
 * and R&D spending ≥ 3% of operating revenue; leading_platform — at least the
 * billion tier.
 */
export type GateDefinition =
  | { gate: 'founded_within_years', years: number }
  | { gate: 'tier_below', tier: TierCode }
  | { gate: 'tier_at_least', tier: TierCode }
  | { gate: 'rd_intensity_at_least', ratio: string }

export const GATE_KINDS = ['founded_within_years', 'tier_below', 'tier_at_least', 'rd_intensity_at_least'] as const

/** Program code → the gates an application to it must pass. */
export type EligibilityGates = Record<string, GateDefinition[]>

/** What the gates look at: the call year and the frozen snapshot's figures. */
export interface EligibilityFacts {
  callYear: number
  /** YYYY-MM-DD */
  foundedOn: string
  /** The graded declaration's tier (computed when it was written). */
  tierCode: string
  /** Decimal strings of yuan. */
  operatingRevenue: string
  rdExpense: string
}

export interface FailedGate {
  gate: GateDefinition['gate']
  message: string
  messageZh: string
  /** What the policy asks for, e.g. "0.03", "above_scale", 5. */
  required: string | number
  /** What the firm has, e.g. "0.0100", "below_scale", 7; null when it cannot be computed. */
  actual: string | number | null
}

export interface Eligibility { passed: boolean, failedGates: FailedGate[] }

const TIER_NAMES: Record<TierCode, [string, string]> = {
  below_scale: ['below designated size', '规模以下'],
  above_scale: ['above designated size', '规模以上'],
  hundred_million: ['hundred-million tier', '亿级'],
  billion: ['billion tier', '十亿级'],
  ten_billion: ['ten-billion tier', '百亿级']
}
const tierName = (tier: string, lang: 0 | 1): string => TIER_NAMES[tier as TierCode]?.[lang] ?? tier

/** One gate against the facts: null when it passes, the failure otherwise. */
export function checkGate (gate: GateDefinition, facts: EligibilityFacts): FailedGate | null {
  switch (gate.gate) {
    case 'founded_within_years': {
      // Counted in calendar years, like the call: founded in 2020 is 5 years before a 2025 call.
      const age = facts.callYear - Number(facts.foundedOn.slice(0, 4))
      if (age <= gate.years) return null
      return {
        gate: gate.gate, required: gate.years, actual: age,
        message: `The firm was founded ${age} years before the call year; the program accepts firms founded at most ${gate.years} years before`,
        messageZh: `企业成立于申报年度前 ${age} 年,本计划仅受理成立不超过 ${gate.years} 年的企业`
      }
    }
    case 'tier_below': {
      if (tierRank(facts.tierCode) < tierRank(gate.tier)) return null
      return {
        gate: gate.gate, required: gate.tier, actual: facts.tierCode,
        message: `The firm's revenue tier (${tierName(facts.tierCode, 0)}) must be below the ${tierName(gate.tier, 0)}`,
        messageZh: `企业营业收入层级(${tierName(facts.tierCode, 1)})须低于${tierName(gate.tier, 1)}`
      }
    }
    case 'tier_at_least': {
      if (tierRank(facts.tierCode) >= tierRank(gate.tier)) return null
      return {
        gate: gate.gate, required: gate.tier, actual: facts.tierCode,
        message: `The firm's revenue tier (${tierName(facts.tierCode, 0)}) must be at least ${tierName(gate.tier, 0)}`,
        messageZh: `企业营业收入层级(${tierName(facts.tierCode, 1)})须达到${tierName(gate.tier, 1)}及以上`
      }
    }
    case 'rd_intensity_at_least': {
      const revenue = toFen(facts.operatingRevenue)
      const rd = toFen(facts.rdExpense)
      // Exact comparison in integers: 3.00% passes, 2.99% does not.
      if (revenue > 0n && compareRatio(rd, revenue, gate.ratio) >= 0) return null
      const actual = revenue > 0n ? ratioRoundedDown(rd, revenue) : null
      return {
        gate: gate.gate, required: gate.ratio, actual,
        message: revenue > 0n
          ? `R&D spending is ${percent(actual ?? '0')} of operating revenue; the program requires at least ${percent(gate.ratio)}`
          : `R&D intensity cannot be computed without operating revenue; the program requires at least ${percent(gate.ratio)}`,
        messageZh: revenue > 0n
          ? `研发投入占营业收入比重为 ${percent(actual ?? '0')},本计划要求不低于 ${percent(gate.ratio)}`
          : `营业收入为零,无法计算研发投入比重;本计划要求不低于 ${percent(gate.ratio)}`
      }
    }
  }
}

/** Every gate of the program is checked, so the firm sees all its failures at once. */
export function evaluateEligibility (gates: readonly GateDefinition[], facts: EligibilityFacts): Eligibility {
  const failedGates = gates.map(g => checkGate(g, facts)).filter((f): f is FailedGate => f != null)
  return { passed: failedGates.length === 0, failedGates }
}

/**
 * Checks a gate configuration an administrator wants to store (the shape is
 * checked by the route schema; this checks the meaning): every known program
 * has an entry, tiers exist, no gate kind twice for one program. Returns the
 * problems as field errors.
 */
export function gateConfigProblems (config: EligibilityGates, programCodes: readonly string[]): Array<{ field: string, message: string }> {
  const problems: Array<{ field: string, message: string }> = []
  for (const program of Object.keys(config)) {
    if (!programCodes.includes(program)) problems.push({ field: program, message: 'is not a program' })
  }
  for (const program of programCodes) {
    const gates = config[program]
    if (gates == null) {
      problems.push({ field: program, message: 'is missing (use [] for a program without gates)' })
      continue
    }
    const seen = new Set<string>()
    gates.forEach((g, i) => {
      if (seen.has(g.gate)) problems.push({ field: `${program}.${i}.gate`, message: `${g.gate} appears twice` })
      seen.add(g.gate)
      if ((g.gate === 'tier_below' || g.gate === 'tier_at_least') && !(TIER_CODES as readonly string[]).includes(g.tier)) {
        problems.push({ field: `${program}.${i}.tier`, message: `unknown tier ${g.tier}` })
      }
    })
  }
  return problems
}
