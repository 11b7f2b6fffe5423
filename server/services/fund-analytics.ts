import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client.ts'
import {
  answer, firmGroup, mergeGroups, PROTECTED_MEASURES, protectTable, type Group, type Leaf, type Measure, type ProtectedTable
} from '../domain/disclosure.ts'
import { fromFen, toFen } from '../domain/money.ts'
import { ratio } from '../domain/decimal.ts'
import { TIER_CODES } from '../domain/tiers.ts'
import { protectionSettings } from './analytics.ts'

/**
 * Performance evaluation of the support funds (绩效评估): what the funds of a
 * year budgeted, awarded and paid, to how many firms, and how the firms
 * supported that year fared over the next year beside the pool members that
 * were not supported (growth of operating revenue, R&D expense and
 * employees: totals and medians).
 *
 * Disclosure control as for the rest of analytics (server/domain/disclosure.ts):
 * aggregate-only readers get figures of protected tables whose cells follow
 * one fixed hierarchy whatever the breakdown asked for, so answers of
 * different requests can only be combined into sums of published cells.
 * - awards: cells program → tier → district of the supported firms; awarded
 *   and paid sums are protected like declared money (the award of one firm is
 *   its business). Budgets are the city's and always exact.
 * - outcomes: cells cohort (supported, unsupported) → program → tier →
 *   district, one table for the base year's figures and one for the next
 *   year's; a total is published only when both are, a median only when its
 *   group of firms is also safe under the threshold rule.
 * Officers and administrators read exact figures.
 */

export const FUND_DIMENSIONS = ['program', 'tier', 'district'] as const
export type FundDimension = typeof FUND_DIMENSIONS[number]

/** The outcome measures: each in its slot of the disclosure module's measures. */
const OUTCOMES = ['operatingRevenue', 'rdExpense', 'employees'] as const satisfies readonly Measure[]
type Outcome = typeof OUTCOMES[number]
/** The awards' sums ride in two slots of the disclosure module's measures. */
const AWARDED: Measure = 'operatingRevenue'
const PAID: Measure = 'softwareRevenue'

type Cohort = 'supported' | 'unsupported'
const NONE = 'none'

interface FirmAward { enterpriseId: string, tier: string, district: string, program: string, awardedFen: bigint, paidFen: bigint, awards: number }
interface FirmOutcome {
  enterpriseId: string, cohort: Cohort, tier: string, district: string, program: string, base: Record<Outcome, bigint>, next: Record<Outcome, bigint>
}

const values = (v: Partial<Record<Measure, bigint>>): Record<Measure, bigint> =>
  Object.fromEntries(PROTECTED_MEASURES.map(m => [m, v[m] ?? 0n])) as Record<Measure, bigint>

async function firmAwards (db: Db, year: number): Promise<FirmAward[]> {
  const rows = await queryRows<{ enterprise_id: string, tier: string | null, district: string, program: string, awarded: string, paid: string, awards: number }>(db, sql`
    select a.enterprise_id, d.tier_code as tier, e.district_code as district, min(f.program_code) as program,
      sum(a.amount)::text as awarded, sum(a.paid)::text as paid, count(*)::int as awards
    from fund_awards a join funds f on f.id = a.fund_id join enterprises e on e.id = a.enterprise_id
      left join declarations d on d.enterprise_id = a.enterprise_id and d.year = f.year
    where f.year = ${year} and a.state <> 'cancelled'
    group by a.enterprise_id, d.tier_code, e.district_code
    order by a.enterprise_id`)
  return rows.map(r => ({
    enterpriseId: r.enterprise_id, tier: r.tier ?? NONE, district: r.district, program: r.program,
    awardedFen: toFen(r.awarded), paidFen: toFen(r.paid), awards: r.awards
  }))
}

/**
 * The firms with declarations for both `year` and `year + 1`: those supported
 * by a fund of `year` (program: the fund's) and the pool members of `year`
 * (a membership valid during the year, past its notice) that were not.
 */
async function firmOutcomes (db: Db, year: number): Promise<FirmOutcome[]> {
  const rows = await queryRows<{
    enterprise_id: string, cohort: Cohort, tier: string, district: string, program: string,
    r0: string, r1: string, d0: string, d1: string, e0: number, e1: number
  }>(db, sql`
    with supported as (
      select a.enterprise_id, min(f.program_code) as program from fund_awards a join funds f on f.id = a.fund_id
      where f.year = ${year} and a.state <> 'cancelled' group by a.enterprise_id
    ), members as (
      select m.enterprise_id, min(m.program_code) as program from pool_memberships m
      where m.status <> 'notice' and m.valid_from <= make_date(${year}, 12, 31) and m.valid_until >= make_date(${year}, 1, 1)
        and not exists (select 1 from supported s where s.enterprise_id = m.enterprise_id)
      group by m.enterprise_id
    ), cohorts as (
      select enterprise_id, program, 'supported' as cohort from supported
      union all select enterprise_id, program, 'unsupported' as cohort from members
    )
    select c.enterprise_id, c.cohort, d0.tier_code as tier, e.district_code as district, c.program,
      d0.operating_revenue::text as r0, d1.operating_revenue::text as r1, d0.rd_expense::text as d0, d1.rd_expense::text as d1,
      d0.employees as e0, d1.employees as e1
    from cohorts c join enterprises e on e.id = c.enterprise_id
      join declarations d0 on d0.enterprise_id = c.enterprise_id and d0.year = ${year}
      join declarations d1 on d1.enterprise_id = c.enterprise_id and d1.year = ${year + 1}
    order by c.enterprise_id`)
  return rows.map(r => ({
    enterpriseId: r.enterprise_id, cohort: r.cohort, tier: r.tier, district: r.district, program: r.program,
    base: { operatingRevenue: toFen(r.r0), rdExpense: toFen(r.d0), employees: BigInt(r.e0) },
    next: { operatingRevenue: toFen(r.r1), rdExpense: toFen(r.d1), employees: BigInt(r.e1) }
  }))
}

/** Leaves of one table: the firms sharing a key, merged. */
function leavesOf<F> (firms: F[], keyOf: (f: F) => string[], valuesOf: (f: F) => Record<Measure, bigint>): { leaves: Leaf[], leafOf: Map<F, number> } {
  const byKey = new Map<string, { key: string[], group: Group }>()
  const keyIndex = new Map<string, number>()
  const leafOf = new Map<F, number>()
  const order: string[] = []
  for (const f of firms) {
    const key = keyOf(f)
    const id = key.join('\u0001')
    const leaf = byKey.get(id)
    if (leaf == null) {
      byKey.set(id, { key, group: firmGroup(valuesOf(f)) })
      order.push(id)
    } else leaf.group = mergeGroups(leaf.group, firmGroup(valuesOf(f)))
  }
  order.sort()
  order.forEach((id, i) => keyIndex.set(id, i))
  for (const f of firms) leafOf.set(f, keyIndex.get(keyOf(f).join('\u0001')) as number)
  return { leaves: order.map(id => byKey.get(id) as Leaf), leafOf }
}

const ofDimension = (f: { program: string, tier: string, district: string }, by: FundDimension): string => f[by]

function sortCodes (by: FundDimension, codes: string[]): string[] {
  return codes.sort((a, b) => by === 'tier' ? TIER_CODES.indexOf(a as never) - TIER_CODES.indexOf(b as never) || (a < b ? -1 : 1) : (a < b ? -1 : a > b ? 1 : 0))
}

/** The median of growth rates (next − base) / base, exact: the middle one, or the mean of the middle two (4 decimals). */
function medianGrowth (pairs: Array<[bigint, bigint]>): string | null {
  const rates = pairs.filter(([b]) => b > 0n).map(([b, n]) => ({ num: n - b, den: b }))
  if (rates.length === 0) return null
  rates.sort((x, y) => { const l = x.num * y.den; const r = y.num * x.den; return l < r ? -1 : l > r ? 1 : 0 })
  const mid = Math.floor(rates.length / 2)
  if (rates.length % 2 === 1) return ratio(rates[mid].num, rates[mid].den)
  const [a, b] = [rates[mid - 1], rates[mid]]
  return ratio(a.num * b.den + b.num * a.den, 2n * a.den * b.den)
}

export interface OutcomeFigures { base: string | number | null, next: string | number | null, totalGrowth: string | null, medianGrowth: string | null }
export interface CohortFigures { firms: number, suppressed: boolean, operatingRevenue: OutcomeFigures, rdExpense: OutcomeFigures, employees: OutcomeFigures }
export interface FundFigures { budget: string | null, awarded: string | null, paid: string | null, firms: number, awards: number, suppressed: boolean }

const show = (m: Outcome, v: bigint | null): string | number | null => v == null ? null : m === 'employees' ? Number(v) : fromFen(v)

/**
 * The funds of `year` broken down by `by`, and the outcomes of the supported
 * firms beside the unsupported members. `exact`: the reader may see single
 * firms (officers, administrators).
 */
export async function fundPerformance (db: Db, year: number, by: FundDimension, exact: boolean) {
  const settings = await protectionSettings(db)
  const rule = { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent }

  // Budgets: per program, exact.
  const budgets = await queryRows<{ program: string, budget: string, funds: number }>(db, sql`
    select program_code as program, sum(budget)::text as budget, count(*)::int as funds from funds where year = ${year} group by program_code order by program_code`)
  const budgetOf = new Map(budgets.map(b => [b.program, toFen(b.budget)]))
  const awards = await firmAwards(db, year)
  const awardTable = leavesOf(awards, f => [f.program, f.tier, f.district], f => values({ [AWARDED]: f.awardedFen, [PAID]: f.paidFen }))
  const protectedAwards = protectTable(awardTable.leaves, rule)
  const fundFigures = (firms: FirmAward[], budget: bigint | null): FundFigures => {
    const a = answer(protectedAwards, firms.map(f => awardTable.leafOf.get(f) as number))
    const source = exact ? a.exact : a.protectedFigures
    const awarded = source[AWARDED]
    const paid = source[PAID]
    return {
      budget: budget == null ? null : fromFen(budget),
      awarded: awarded == null ? null : fromFen(awarded),
      paid: paid == null ? null : fromFen(paid),
      firms: new Set(firms.map(f => f.enterpriseId)).size,
      awards: firms.reduce((n, f) => n + f.awards, 0),
      suppressed: awarded == null || paid == null
    }
  }
  const codes = sortCodes(by, [...new Set([...awards.map(f => ofDimension(f, by)), ...(by === 'program' ? budgets.map(b => b.program) : [])])])
  const fundCells = codes.map(code => ({
    [by]: code,
    ...fundFigures(awards.filter(f => ofDimension(f, by) === code), by === 'program' ? (budgetOf.get(code) ?? 0n) : null)
  }))
  const totalBudget = budgets.reduce((s, b) => s + toFen(b.budget), 0n)
  const fundTotals = fundFigures(awards, totalBudget)

  // Outcomes: the base year's and the next year's figures, each a protected table over the same cells.
  const firms = await firmOutcomes(db, year)
  const keyOf = (f: FirmOutcome) => [f.cohort, f.program, f.tier, f.district]
  const baseLeaves = leavesOf(firms, keyOf, f => values(f.base))
  const nextLeaves = leavesOf(firms, keyOf, f => values(f.next))
  const baseTable: ProtectedTable = protectTable(baseLeaves.leaves, rule)
  const nextTable: ProtectedTable = protectTable(nextLeaves.leaves, rule)
  const cohortFigures = (group: FirmOutcome[]): CohortFigures => {
    const idx = group.map(f => baseLeaves.leafOf.get(f) as number)
    const base = answer(baseTable, idx)
    const next = answer(nextTable, idx)
    let suppressed = false
    const figures = Object.fromEntries(OUTCOMES.map(m => {
      const b = exact ? base.exact[m] : base.protectedFigures[m]
      const n = exact ? next.exact[m] : next.protectedFigures[m]
      // The cohorts (supported or not, pool members declaring both years) cut across the cells of the year's protected table
      // (server/services/analytics.ts): a cohort's total beside that table could isolate a cell it withholds, so aggregate-only
      // readers get no cohort totals at all, only the medians.
      const published = exact && b != null && n != null
      // A median is one firm's rate (or two firms' mean), never an amount: only for a group the threshold rule lets through.
      const medianOk = exact || group.length >= rule.minFirms
      if (!published || !medianOk) suppressed = true
      return [m, {
        base: published ? show(m, b) : null,
        next: published ? show(m, n) : null,
        totalGrowth: published && b !== 0n ? ratio(n - b, b) : null,
        medianGrowth: medianOk ? medianGrowth(group.map(f => [f.base[m], f.next[m]])) : null
      }]
    })) as Record<Outcome, OutcomeFigures>
    return { firms: group.length, suppressed: group.length > 0 && suppressed, ...figures }
  }
  const cohort = (c: Cohort, list: FirmOutcome[]) => list.filter(f => f.cohort === c)
  const outcomeCodes = sortCodes(by, [...new Set(firms.map(f => ofDimension(f, by)))])
  const outcomeCells = outcomeCodes.map(code => {
    const group = firms.filter(f => ofDimension(f, by) === code)
    return { [by]: code, supported: cohortFigures(cohort('supported', group)), unsupported: cohortFigures(cohort('unsupported', group)) }
  })

  return {
    year,
    by,
    exact,
    minFirms: settings.minFirms,
    dominancePercent: settings.dominancePercent,
    funds: { cells: fundCells, totals: fundTotals, count: budgets.reduce((n, b) => n + b.funds, 0) },
    outcomes: {
      baseYear: year,
      nextYear: year + 1,
      cells: outcomeCells,
      totals: { supported: cohortFigures(cohort('supported', firms)), unsupported: cohortFigures(cohort('unsupported', firms)) }
    },
    notes: [
      exact
        ? 'exact figures: officers and administrators, who may read single firms, are not given the protected tables'
        : `awarded and paid sums are sums of published cells of a protected table (fewer than ${settings.minFirms} firms or ` +
          `dominated under the ${settings.dominancePercent}% rule: withheld, null, suppressed: true); the cohorts' revenue, R&D and employee totals ` +
          'are withheld (a cohort cuts across the cells of the year\'s protected table, so its total could isolate one of them); ' +
          `a median growth rate needs at least ${settings.minFirms} firms; firm counts and budgets are exact`,
      'supported: firms with an award (not cancelled) from a fund of the year; unsupported: the other pool members of the year (a membership valid ' +
        'during the year, past its notice); outcomes count firms that declared both the year and the next',
      'growth: (next − base) / base; totalGrowth of the sums, medianGrowth of the firms\' own rates (firms with a base of 0 left out); tier: the ' +
        'firm\'s tier in the year (none: no declaration); program: the fund\'s (supported) or the membership\'s (unsupported)'
    ]
  }
}
