import { asc, eq, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db, inTransaction } from '../../db/client.ts'
import { planTargets, policySettings, programs, domains, districts } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { normalizeMoney, toFen } from '../domain/money.ts'
import { suppressCells } from '../domain/suppression.ts'
import { evaluateTarget, MEASURE_UNITS, TIERED_MEASURES, type Comparator, type TargetMeasure, type TierSums } from '../domain/targets.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { TIER_CODES } from '../domain/tiers.ts'

/**
 * Analytics over the rollup tables analytics_cells and analytics_totals
 * (db/schema/analytics.ts): a few thousand, or a few hundred, rows per year,
 * kept exact by the database in every writing transaction, so each answer is
 * one small aggregate query and never stale.
 */

export const DIMENSIONS = ['tier', 'program', 'domain', 'district'] as const
export type Dimension = typeof DIMENSIONS[number]
export type PoolFilter = 'member' | 'non_member' | 'any'

export interface Filters {
  tier?: string[]
  program?: string[]
  domain?: string[]
  district?: string[]
  pool: PoolFilter
}

export interface Figures {
  firms: number
  operatingRevenue: string | null
  softwareRevenue: string | null
  rdExpense: string | null
  employees: number | null
  suppressed: boolean
}

export type Cell = Partial<Record<Dimension, string | null>> & Figures

export const NOTES = {
  program: 'program is the program of the firm\'s live pool membership (notice, active or warned); null = not in the pool',
  domain: 'a firm with several domains is counted once in each of its domains\' cells and once in the totals, so domain cells add up to more than the totals',
  suppression: 'cells covering fewer than {k} firms have their money and employee figures suppressed (null, suppressed: true), and further cells are suppressed so that no hidden figure can be derived from the totals or a row or column; firm counts stay visible'
}

const COLUMN: Record<Dimension, SQL> = {
  tier: sql.raw('c.tier_code'),
  program: sql.raw('nullif(c.program_code, \'\')'),
  domain: sql.raw('dom'),
  district: sql.raw('c.district_code')
}

/** Splits "a,b" filter values and checks each against the allowed codes. */
export async function parseFilters (db: Db, query: { tier?: string, program?: string, domain?: string, district?: string }): Promise<Omit<Filters, 'pool'>> {
  const out: Omit<Filters, 'pool'> = {}
  const lists: Array<[keyof typeof out, () => Promise<string[]>]> = [
    ['tier', async () => [...TIER_CODES]],
    ['program', async () => (await db.select({ c: programs.code }).from(programs)).map(r => r.c)],
    ['domain', async () => (await db.select({ c: domains.code }).from(domains)).map(r => r.c)],
    ['district', async () => (await db.select({ c: districts.code }).from(districts)).map(r => r.c)]
  ]
  for (const [name, allowed] of lists) {
    const raw = query[name]
    if (raw == null || raw === '') continue
    const values = [...new Set(raw.split(','))]
    const known = new Set(await allowed())
    const unknown = values.find(v => !known.has(v))
    if (unknown != null) throw errors.unknownReference(`query.${name}`, unknown)
    out[name] = values
  }
  return out
}

export function parseBy (raw: string | undefined, allowed: readonly Dimension[]): Dimension[] {
  if (raw == null || raw === '') return []
  const by = raw.split(',')
  const bad = by.find(d => !(allowed as readonly string[]).includes(d))
  if (bad != null) throw errors.validation([{ field: 'query.by', message: `unknown dimension ${bad}; use ${allowed.join(', ')}` }])
  if (new Set(by).size !== by.length) throw errors.validation([{ field: 'query.by', message: 'a dimension appears twice' }])
  // A canonical order: the same breakdown always gives the same columns.
  return DIMENSIONS.filter(d => by.includes(d))
}

/** WHERE conditions on analytics_cells c for the filters (values already allowlisted). One text parameter per list. */
function filterConditions (f: Filters): SQL[] {
  const where: SQL[] = []
  if (f.tier != null) where.push(sql`c.tier_code = any(string_to_array(${f.tier.join(',')}, ','))`)
  if (f.district != null) where.push(sql`c.district_code = any(string_to_array(${f.district.join(',')}, ','))`)
  if (f.program != null) where.push(sql`c.program_code = any(string_to_array(${f.program.join(',')}, ','))`)
  if (f.domain != null) where.push(sql`c.domains && string_to_array(${f.domain.join(',')}, ',')`)
  if (f.pool === 'member') where.push(sql`c.program_code <> ''`)
  if (f.pool === 'non_member') where.push(sql`c.program_code = ''`)
  return where
}

interface AggregateRow {
  is_total: number
  year: number
  tier: string | null
  program: string | null
  domain: string | null
  district: string | null
  firms: number
  operating_revenue: string
  software_revenue: string
  rd_expense: string
  employees: string
  /** Policy suppression_min_firms as stored, on the totals rows. */
  min_firms: string | null
}

/**
 * One statement: the cells grouped by year and the breakdown, and each year's
 * totals (from the firm-level rows, so a firm with several domains counts
 * once), as a UNION ALL.
 */
async function aggregate (db: Db, years: { from: number, to: number }, by: Dimension[], f: Filters): Promise<AggregateRow[]> {
  const where = [sql`c.year between ${years.from} and ${years.to}`, ...filterConditions(f)]
  const withDomain = by.includes('domain')
  // Without domains in play the domain-free rollup answers: a few hundred rows a year instead of thousands.
  const table = withDomain || f.domain != null ? sql.raw('analytics_cells') : sql.raw('analytics_totals')
  const cellWhere = [...where]
  if (withDomain && f.domain != null) cellWhere.push(sql`dom = any(string_to_array(${f.domain.join(',')}, ','))`)
  const dims = DIMENSIONS.map(d => by.includes(d) ? sql`${COLUMN[d]} as ${sql.raw(d)}` : sql`null::text as ${sql.raw(d)}`)
  const groupBy = [sql.raw('c.year'), ...by.map(d => COLUMN[d])]
  const sums = sql`sum(c.firms)::int as firms, sum(c.operating_revenue)::text as operating_revenue,
    sum(c.software_revenue)::text as software_revenue, sum(c.rd_expense)::text as rd_expense, sum(c.employees)::text as employees`
  const nullDims = sql.raw('null::text as tier, null::text as program, null::text as domain, null::text as district')
  const query = sql`
    select 0 as is_total, c.year, ${sql.join(dims, sql`, `)}, ${sums}, null::text as min_firms
    from ${table} c${withDomain ? sql` cross join lateral unnest(c.domains) as dom` : sql``}
    where ${sql.join(cellWhere, sql` and `)}
    group by ${sql.join(groupBy, sql`, `)}
    having sum(c.firms) > 0
    union all
    select 1 as is_total, c.year, ${nullDims}, ${sums},
      (select value::text from ${policySettings} where key = 'suppression_min_firms') as min_firms
    from ${table} c
    where ${sql.join(where, sql` and `)}
    group by c.year`
  return await queryRows<AggregateRow>(db, query)
}

const money = (v: string | null) => v == null ? '0.00' : normalizeMoney(v)

/** Applies the confidentiality rule to one table (one year): cells and totals. */
function publish (rows: AggregateRow[], total: AggregateRow | undefined, by: Dimension[], k: number): { cells: Cell[], totals: Figures, suppressedCells: number } {
  // Without a breakdown the one cell is the totals: answer with the totals alone.
  const sorted = (by.length === 0 ? [] : [...rows]).sort((a, b) => {
    for (const d of by) {
      const x = a[d] ?? ''
      const y = b[d] ?? ''
      if (x !== y) return d === 'tier' ? TIER_CODES.indexOf(x as never) - TIER_CODES.indexOf(y as never) : (x < y ? -1 : 1)
    }
    return 0
  })
  const totalFirms = total?.firms ?? 0
  const decision = suppressCells(
    sorted.map(r => ({ key: by.map(d => r[d]), firms: r.firms, size: toFen(r.operating_revenue) })),
    totalFirms, k)
  const figures = (r: AggregateRow | undefined, hide: boolean): Figures => hide
    ? { firms: r?.firms ?? 0, operatingRevenue: null, softwareRevenue: null, rdExpense: null, employees: null, suppressed: true }
    : {
        firms: r?.firms ?? 0,
        operatingRevenue: money(r?.operating_revenue ?? null),
        softwareRevenue: money(r?.software_revenue ?? null),
        rdExpense: money(r?.rd_expense ?? null),
        employees: Number(r?.employees ?? 0),
        suppressed: false
      }
  const cells = sorted.map((r, i) => {
    const key: Partial<Record<Dimension, string | null>> = {}
    for (const d of by) key[d] = r[d]
    return { ...key, ...figures(r, decision.suppressed[i]) }
  })
  return { cells, totals: figures(total, decision.totalsSuppressed), suppressedCells: decision.suppressed.filter(Boolean).length }
}

/** Policy suppression_min_firms (default 3). */
export async function suppressionThreshold (db: Db): Promise<number> {
  const [row] = await db.select({ value: policySettings.value }).from(policySettings).where(eq(policySettings.key, 'suppression_min_firms'))
  return minFirms(row?.value)
}

function minFirms (stored: unknown): number {
  const k = Number(stored ?? 3)
  return Number.isInteger(k) && k >= 1 ? k : 3
}

/** The threshold read with the rows (one round trip), or on its own when the data has no totals row. */
async function thresholdOf (db: Db, rows: AggregateRow[]): Promise<number> {
  const total = rows.find(r => r.is_total === 1)
  return total != null ? minFirms(total.min_firms) : await suppressionThreshold(db)
}

export async function distribution (db: Db, year: number, by: Dimension[], filters: Filters) {
  const rows = await aggregate(db, { from: year, to: year }, by, filters)
  const k = await thresholdOf(db, rows)
  const { cells, totals, suppressedCells } = publish(rows.filter(r => r.is_total === 0), rows.find(r => r.is_total === 1), by, k)
  const notes = [NOTES.suppression.replace('{k}', String(k))]
  if (by.includes('program') || filters.program != null) notes.push(NOTES.program)
  if (by.includes('domain')) notes.push(NOTES.domain)
  return { year, by, minFirms: k, suppressedCells, cells, totals, notes }
}

export async function trend (db: Db, from: number, to: number, by: Dimension[], filters: Filters) {
  const rows = await aggregate(db, { from, to }, by, filters)
  const k = await thresholdOf(db, rows)
  const years = []
  for (let year = from; year <= to; year++) {
    const mine = rows.filter(r => r.year === year)
    const { cells, totals } = publish(mine.filter(r => r.is_total === 0), mine.find(r => r.is_total === 1), by, k)
    years.push({ year, cells, totals })
  }
  const notes = [NOTES.suppression.replace('{k}', String(k))]
  if (by.includes('program')) notes.push(NOTES.program)
  return { from, to, by, minFirms: k, years, notes }
}

/** The year's sums per tier (city aggregates, not suppressed: they cover the whole industry). */
async function tierSums (db: Db, year: number): Promise<TierSums[]> {
  const rows = await queryRows<{ tier_code: string, firms: number, op: string, sw: string, rd: string, emp: string }>(db, sql`
    select c.tier_code, sum(c.firms)::int as firms, sum(c.operating_revenue)::text as op, sum(c.software_revenue)::text as sw,
      sum(c.rd_expense)::text as rd, sum(c.employees)::text as emp
    from analytics_totals c where c.year = ${year} group by c.tier_code`)
  return rows.map(r => ({
    tierCode: r.tier_code,
    firms: r.firms,
    operatingRevenueFen: toFen(r.op),
    softwareRevenueFen: toFen(r.sw),
    rdExpenseFen: toFen(r.rd),
    employees: BigInt(r.emp)
  }))
}

export type PlanTargetRow = typeof planTargets.$inferSelect

/** A stored goal ("0.5000", "25.0000") without trailing zeros: "0.5", "25". */
export function plainDecimal (s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

export function targetView (t: PlanTargetRow) {
  return {
    key: t.key,
    measure: t.measure,
    tierCode: t.tierCode ?? null,
    comparator: t.comparator as Comparator,
    goal: plainDecimal(t.goal),
    unit: t.unit,
    dueYear: t.dueYear,
    labelZh: t.labelZh,
    labelEn: t.labelEn
  }
}

export async function listTargets (db: Db) {
  return (await db.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
}

export async function targetsReport (db: Db, year: number) {
  const [targets, sums] = await Promise.all([listTargets(db), tierSums(db, year)])
  const firms = sums.reduce((a, s) => a + s.firms, 0)
  return {
    year,
    firms,
    targets: targets.map(t => ({ ...t, ...evaluateTarget({ ...t, goal: t.goal }, sums) }))
  }
}

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
    if (MEASURE_UNITS[t.measure as TargetMeasure] === 'ratio' && compareDecimal(t.goal, '1') > 0) {
      problems.push({ field: `body.targets.${i}.goal`, message: 'a ratio goal is a fraction between 0 and 1' })
    }
  })
  return problems
}

function compareDecimal (a: string, b: string): number {
  const [ai, af = ''] = a.split('.')
  const [bi, bf = ''] = b.split('.')
  const n = Math.max(af.length, bf.length)
  const x = BigInt(ai + af.padEnd(n, '0'))
  const y = BigInt(bi + bf.padEnd(n, '0'))
  return x < y ? -1 : x > y ? 1 : 0
}

/** Replaces the whole target set, audited in the same transaction. */
export async function replaceTargets (db: Db, targets: TargetInput[], ctx: AuditContext) {
  const problems = targetProblems(targets)
  if (problems.length > 0) throw errors.validation(problems)
  return await inTransaction(db, async (tx) => {
    const before = (await tx.select().from(planTargets).orderBy(asc(planTargets.id)).for('update')).map(targetView)
    await tx.delete(planTargets)
    if (targets.length > 0) {
      await tx.insert(planTargets).values(targets.map(x => ({
        key: x.key,
        measure: x.measure,
        tierCode: x.tierCode ?? null,
        comparator: x.comparator,
        goal: x.goal,
        unit: MEASURE_UNITS[x.measure as TargetMeasure],
        dueYear: x.dueYear,
        labelZh: x.labelZh,
        labelEn: x.labelEn
      })))
    }
    const after = (await tx.select().from(planTargets).orderBy(asc(planTargets.dueYear), asc(planTargets.id))).map(targetView)
    await recordAudit(tx, ctx, { action: 'targets.replace', objectType: 'plan_targets', objectId: 'all', before, after })
    return after
  })
}
