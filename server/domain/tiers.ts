import { toFen } from './money.ts'

/**
 * Revenue tiers (DOMAIN.md). Thresholds are policy data (table tier_rules),
 * valid for a range of years, optionally only for firms in one domain. This
 * is the one place a firm's tier is decided.
 */
export const TIER_CODES = ['below_scale', 'above_scale', 'hundred_million', 'billion', 'ten_billion'] as const
export type TierCode = typeof TIER_CODES[number]

/** Rank of a tier: below_scale 0 … ten_billion 4. */
export const tierRank = (tier: string): number => TIER_CODES.indexOf(tier as TierCode)

export interface TierRule {
  tierCode: string
  /** Minimum annual operating revenue in CNY, decimal string. */
  minRevenue: string
  fromYear: number
  /** Inclusive; null = still in force. */
  toYear: number | null
  /** When set, the rule applies only to firms in this domain and overrides the general rule for its tier. */
  domainCode: string | null
}

export function ruleInForce (rule: TierRule, year: number): boolean {
  return rule.fromYear <= year && (rule.toYear == null || year <= rule.toYear)
}

/**
 * The threshold (fen) of each tier for a firm in `domains` in `year`: a
 * per-domain rule for one of the firm's domains overrides the general rule
 * (the lowest such override wins when several apply).
 */
export function thresholdsFor (rules: TierRule[], year: number, domains: readonly string[]): Map<string, bigint> {
  const general = new Map<string, bigint>()
  const override = new Map<string, bigint>()
  for (const r of rules) {
    if (!ruleInForce(r, year)) continue
    const min = toFen(r.minRevenue)
    if (r.domainCode == null) {
      const prev = general.get(r.tierCode)
      if (prev == null || min < prev) general.set(r.tierCode, min)
    } else if (domains.includes(r.domainCode)) {
      const prev = override.get(r.tierCode)
      if (prev == null || min < prev) override.set(r.tierCode, min)
    }
  }
  for (const [tier, min] of override) general.set(tier, min)
  return general
}

/**
 * The tier of a firm with `operatingRevenue` (decimal string, CNY) in `year`:
 * the highest-ranked tier whose threshold it reaches; below_scale otherwise.
 * Pure, and monotone: more revenue never gives a lower tier.
 */
export function classifyTier (operatingRevenue: string, year: number, domains: readonly string[], rules: TierRule[]): TierCode {
  const revenue = toFen(operatingRevenue)
  const thresholds = thresholdsFor(rules, year, domains)
  let best: TierCode = 'below_scale'
  for (const tier of TIER_CODES) {
    const min = thresholds.get(tier)
    if (min != null && revenue >= min && tierRank(tier) > tierRank(best)) best = tier
  }
  return best
}
