import { fromFen, toFen } from './money.ts'

/**
 * Revenue tiers (docs/domain.md). Thresholds are policy data (table tier_rules),
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
  return tierOfRevenue(toFen(operatingRevenue), thresholdsFor(rules, year, domains))
}

function tierOfRevenue (revenue: bigint, thresholds: Map<string, bigint>): TierCode {
  let best: TierCode = 'below_scale'
  for (const tier of TIER_CODES) {
    const min = thresholds.get(tier)
    if (min != null && revenue >= min && tierRank(tier) > tierRank(best)) best = tier
  }
  return best
}

/**
 * classifyTier for many firms of one year under one rule set: the thresholds
 * of each distinct set of domains are worked out once (a year's 100,000
 * declarations have a few hundred domain sets). The revenue is a decimal
 * string, or a bigint in fen.
 */
export function tierClassifier (rules: TierRule[], year: number): (operatingRevenue: string | bigint, domains: readonly string[]) => TierCode {
  const byDomains = new Map<string, Map<string, bigint>>()
  return (operatingRevenue, domains) => {
    const key = domains.join(',')
    let thresholds = byDomains.get(key)
    if (thresholds == null) byDomains.set(key, thresholds = thresholdsFor(rules, year, domains))
    // A bigint is already in fen.
    return tierOfRevenue(typeof operatingRevenue === 'bigint' ? operatingRevenue : toFen(operatingRevenue), thresholds)
  }
}

export interface TierRuleProblem { field: string, message: string }

const MONEY_STRING = /^(0|[1-9]\d{0,15})(\.\d{1,2})?$/

function periodsOverlap (a: TierRule, b: TierRule): boolean {
  const aEnd = a.toYear ?? Infinity
  const bEnd = b.toYear ?? Infinity
  return a.fromYear <= bEnd && b.fromYear <= aEnd
}

/**
 * Everything wrong with a whole rule set before it replaces the current one,
 * with the field (`rules.3.fromYear`) each problem is about. Empty = valid.
 *
 * - tier and domain must be known; `below_scale` is what is left below the
 *   lowest threshold, so it has no rule of its own;
 * - money exact, positive; fromYear ≤ toYear;
 * - at most one rule per tier (and per domain, for overrides) in force in any
 *   year, otherwise "the rule for 2023" would be ambiguous;
 * - in every year, for the general rules and for each domain's effective
 *   thresholds, a higher tier needs strictly more revenue.
 */
export function tierRuleProblems (rules: TierRule[], known: { domains: readonly string[] }): TierRuleProblem[] {
  const problems: TierRuleProblem[] = []
  const field = (i: number, f: string) => `rules.${i}.${f}`
  rules.forEach((r, i) => {
    if (!(TIER_CODES as readonly string[]).includes(r.tierCode)) problems.push({ field: field(i, 'tierCode'), message: `unknown tier ${r.tierCode}` })
    else if (r.tierCode === 'below_scale') problems.push({ field: field(i, 'tierCode'), message: 'below_scale is whatever falls below the lowest threshold and takes no rule' })
    if (r.domainCode != null && !known.domains.includes(r.domainCode)) problems.push({ field: field(i, 'domainCode'), message: `unknown domain ${r.domainCode}` })
    if (!MONEY_STRING.test(r.minRevenue)) problems.push({ field: field(i, 'minRevenue'), message: 'must be a decimal string of yuan with at most 2 decimals' })
    else if (toFen(r.minRevenue) <= 0n) problems.push({ field: field(i, 'minRevenue'), message: 'must be more than 0' })
    if (r.toYear != null && r.toYear < r.fromYear) problems.push({ field: field(i, 'toYear'), message: `must not be before fromYear (${r.fromYear})` })
  })
  if (problems.length > 0) return problems

  for (let i = 0; i < rules.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = rules[j]
      const b = rules[i]
      if (a.tierCode === b.tierCode && a.domainCode === b.domainCode && periodsOverlap(a, b)) {
        const message = b.domainCode == null
          ? `overlaps rules.${j}: two general rules for ${b.tierCode} in force in the same year`
          : `overlaps rules.${j}: two rules for domain ${b.domainCode} for ${b.tierCode} in force in the same year`
        problems.push({ field: field(i, 'fromYear'), message })
      }
    }
  }
  if (problems.length > 0) return problems

  // The rule set is constant between the years where some rule starts or
  // ends, so checking the order at each such year checks every year.
  const years = [...new Set(rules.flatMap(r => r.toYear == null ? [r.fromYear] : [r.fromYear, r.toYear + 1]))].sort((a, b) => a - b)
  const scopes: Array<string | null> = [null, ...new Set(rules.map(r => r.domainCode).filter((d): d is string => d != null))]
  for (const year of years) {
    for (const domain of scopes) {
      const thresholds = thresholdsFor(rules, year, domain == null ? [] : [domain])
      let prev: { tier: string, min: bigint } | undefined
      for (const tier of TIER_CODES) {
        const min = thresholds.get(tier)
        if (min == null) continue
        if (prev != null && min <= prev.min) {
          // Point at the rule that set this threshold: the domain's override if any, else the general rule.
          const inForce = (r: TierRule, d: string | null) => r.tierCode === tier && ruleInForce(r, year) && r.domainCode === d
          const override = domain == null ? -1 : rules.findIndex(r => inForce(r, domain))
          const idx = override >= 0 ? override : rules.findIndex(r => inForce(r, null))
          problems.push({
            field: field(Math.max(idx, 0), 'minRevenue'),
            message: `in ${year}${domain == null ? '' : ` for ${domain} firms`}, ${tier} needs ${fromFen(min)} but ${prev.tier} already needs ${fromFen(prev.min)}: a higher tier must need more revenue`
          })
        }
        prev = { tier, min }
      }
    }
  }
  return problems
}
