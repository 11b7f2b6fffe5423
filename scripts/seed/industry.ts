/**
 * A deterministic synthetic industry for demos, tests and benchmarks,
 * calibrated to the action plan's 2017 baseline (shared/DOMAIN.md): about
 * 2000 firms, 700 of them above designated size with 105.3 billion CNY of
 * revenue between them, about 200,000 employees. Revenues are log-normal
 * (heavy-tailed: a handful of billion-tier firms, one ten-billion firm per
 * ~2000), drawn by stratified quantiles so the baseline holds for any seed,
 * then grow year on year with a drift per firm. Same options → same data.
 */
import { tierClassifier, type TierCode, type TierRule } from '../../server/domain/tiers.ts'
import { completeUscc } from '../../server/domain/uscc.ts'
import { pickWeighted, probit, rng, uuidFrom } from './random.ts'
import type { SeedOptions } from './options.ts'

// Where Dalian's software firms are: most in the Hi-tech Zone (软件园) and the central districts.
const DISTRICT_WEIGHTS = [
  ['hi_tech_zone', 35], ['210211', 15], ['210204', 12], ['210202', 10], ['jinpu_new_area', 10], ['210203', 8],
  ['210213', 3], ['210212', 2], ['changxing_island', 1.5], ['210214', 1], ['210281', 1], ['210283', 1], ['210224', 0.5]
] as const
const DOMAIN_WEIGHTS = [
  ['industry_apps', 30], ['internet', 15], ['cloud', 10], ['big_data', 10], ['ai', 10], ['iot', 10], ['industrial_software', 8], ['info_security', 7]
] as const
// Division code in the credit code (characters 3-8); pilot zones sit in Dalian's city code.
const divisionOf = (district: string) => /^\d{6}$/.test(district) ? district : '210200'

const NAME_A = ['华信', '东软', '海辉', '文思', '亿达', '中软', '信华', '博涛', '新鸿', '宏远', '启明', '星海', '滨城', '港湾', '金石', '长兴', '天健', '联创', '智云', '数港']
const NAME_B = ['软件', '信息技术', '数据科技', '智能科技', '网络科技', '云计算', '系统集成', '数字科技']

// Baseline calibration (2017): 35% of firms reach 500万, and those firms earn 105.3 billion per 2000 firms.
const ABOVE_SCALE_SHARE = 0.35
const SIGMA = 2.6
const ABOVE_SCALE_2017 = 5_000_000
const BASELINE_ABOVE_REVENUE_PER_FIRM = 105_300_000_000 / 2000

/** One generated year of a firm: money in fen, and the tier the rules give it. */
export interface SyntheticYear {
  /** The declaration's row id. */
  id: string
  revenueFen: bigint
  softwareFen: bigint
  rdFen: bigint
  exportFen: bigint
  mainFen: bigint
  assetsFen: bigint
  liabilitiesFen: bigint
  employees: number
  rdStaff: number
  patents: number
  copyrights: number
  tier: string
}

export interface SyntheticFirm {
  index: number
  id: string
  userId: string
  uscc: string
  name: string
  district: string
  domains: string[]
  foundedOn: string
  /** The firm's declarations by year (absent = no declaration that year). */
  years: Map<number, SyntheticYear>
}

const fen = (yuan: number) => BigInt(Math.max(0, Math.round(yuan * 100)))

/** The whole synthetic industry, firm by firm (a generator: 100,000 firms never sit in memory at once as rows). */
export function * generateIndustry (opts: SeedOptions, rules: TierRule[]): Generator<SyntheticFirm> {
  const r = rng(opts.seed)
  // Declaration ids from their own stream, so the figures do not depend on them.
  const declarationIds = rng(opts.seed ^ 0xdec1a2e)
  const n = opts.firms
  // Stratified quantiles in a seeded random order: every seed gets the same revenue distribution.
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]]
  }
  const z = probit(1 - ABOVE_SCALE_SHARE)
  const mu = Math.log(ABOVE_SCALE_2017) - z * SIGMA
  // Rescale the part above the threshold so that the above-scale total hits the baseline exactly.
  let above = 0
  let aboveCount = 0
  const base: number[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const x = Math.exp(mu + SIGMA * probit((order[i] + 0.5) / n))
    base[i] = x
    if (x >= ABOVE_SCALE_2017) { above += x; aboveCount++ }
  }
  const wanted = BASELINE_ABOVE_REVENUE_PER_FIRM * n
  const factor = aboveCount === 0 ? 1 : (wanted - aboveCount * ABOVE_SCALE_2017) / (above - aboveCount * ABOVE_SCALE_2017)
  for (let i = 0; i < n; i++) if (base[i] >= ABOVE_SCALE_2017) base[i] = ABOVE_SCALE_2017 + (base[i] - ABOVE_SCALE_2017) * factor

  // One classifier per year: each domain set's thresholds worked out once, not per declaration.
  const classifiers = new Map<number, (revenue: bigint, domains: readonly string[]) => TierCode>()
  const classifierOf = (year: number) => {
    let c = classifiers.get(year)
    if (c == null) classifiers.set(year, c = tierClassifier(rules, year))
    return c
  }
  for (let i = 0; i < n; i++) {
    const id = uuidFrom(r)
    const userId = uuidFrom(r)
    const district = pickWeighted(r(), DISTRICT_WEIGHTS)
    const domainCount = r() < 0.6 ? 1 : r() < 0.75 ? 2 : 3
    const domains = new Set<string>()
    while (domains.size < domainCount) domains.add(pickWeighted(r(), DOMAIN_WEIGHTS))
    const foundedYear = Math.max(1990, opts.fromYear - 1 - Math.floor(-Math.log(1 - r()) * 9))
    const foundedOn = `${foundedYear}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`
    const serial = String(i + 1).padStart(9, '0')
    const uscc = completeUscc('91' + divisionOf(district) + serial)
    const name = `大连${NAME_A[Math.floor(r() * NAME_A.length)]}${NAME_B[Math.floor(r() * NAME_B.length)]}有限公司${i + 1}号`
    // Growth: a drift per firm (about 9% a year on average) and noise per year.
    const drift = 0.09 + 0.06 * probit(Math.min(0.999, Math.max(0.001, r())))
    const softwareShare = 0.6 + 0.35 * r()
    const productivity = 600_000 * Math.exp(0.35 * probit(Math.min(0.999, Math.max(0.001, r()))))
    const exporter = r() < 0.3
    const sortedDomains = [...domains].sort()
    let revenue = base[i]
    let stopped = false
    const years: SyntheticFirm['years'] = new Map()
    for (let year = opts.fromYear; year <= opts.toYear; year++) {
      if (year > opts.fromYear) {
        revenue *= Math.exp(drift + 0.15 * probit(Math.min(0.999, Math.max(0.001, r()))))
        if (!stopped && r() < 0.008) stopped = true // the firm closes or leaves Dalian
      }
      const skip = year > opts.fromYear && r() < 0.02 // a year it did not declare
      if (stopped || skip) continue
      const software = revenue * softwareShare
      // R&D 5-10% of software revenue, creeping up over the plan's years.
      const rd = software * (0.05 + 0.05 * r() + 0.002 * (year - opts.fromYear))
      // Revenue per employee grows about 5% a year.
      const employees = Math.max(3, Math.round(revenue / (productivity * 1.05 ** (year - opts.fromYear))))
      const assets = revenue * (0.5 + 1.5 * r())
      const revenueFen = fen(revenue)
      years.set(year, {
        id: uuidFrom(declarationIds),
        revenueFen,
        softwareFen: fen(software),
        rdFen: fen(rd),
        exportFen: exporter ? fen(revenue * 0.2 * r()) : 0n,
        mainFen: fen(revenue * (0.7 + 0.3 * r())),
        assetsFen: fen(assets),
        liabilitiesFen: fen(assets * (0.2 + 0.6 * r())),
        employees,
        rdStaff: Math.max(1, Math.round(employees * (0.1 + 0.3 * r()))),
        patents: Math.floor(-Math.log(1 - r()) * 2),
        copyrights: Math.floor(-Math.log(1 - r()) * 6),
        tier: classifierOf(year)(revenueFen, sortedDomains)
      })
    }
    yield { index: i, id, userId, uscc, name, district, domains: sortedDomains, foundedOn, years }
  }
}
