import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client.ts'
import { planTargets, programs, domains, districts } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { fromFen, toFen } from '../domain/money.ts'
import {
  answer, emptyGroup, EMPTY_CONTRIBUTION, isPublished, isSensitive, mergeGroups, PROTECTED_MEASURES, protectTable, type Group, type Leaf, type Measure,
  type ProtectedTable
} from '../domain/disclosure.ts'
import { ratio } from '../domain/decimal.ts'
import { FOCUS_DOMAINS, type SumFigure, type TierSums } from '../domain/targets.ts'
import { TIER_CODES, tierRank } from '../domain/tiers.ts'
import { policyValues } from './policy.ts'

/**
 * Analytics over the rollup tables (db/schema/analytics.ts), kept exact by the
 * database in every writing transaction. Distribution and trend answer from a
 * year's table of leaf cells (tier × district × program × domain set) read
 * from analytics_firm_years; aggregate-only readers get the figures of its
 * protected version (server/domain/disclosure.ts, docs/confidentiality.md),
 * kept per year until the year's rollup rows change. The plan's targets, read
 * against tierSums below, are services/targets.ts.
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
  exportRevenue: string | null
  employees: number | null
  suppressed: boolean
}

export type Cell = Partial<Record<Dimension, string | null>> & Figures

export const NOTES = {
  program: 'program is the program of the firm\'s live pool membership (notice, active or warned); null = not in the pool',
  domain: 'a firm with several domains is counted once in each of its domains\' cells and once in the totals, so domain cells add up to more than the totals',
  protection: 'confidential figures are protected: every figure is a sum of cells of the year\'s protected table, and a cell whose firms are fewer ' +
    'than {k} or dominated (what remains after its two largest firms is under {p}% of the largest) is withheld together with the cells that would ' +
    'give it away (null, suppressed: true); firm counts stay visible; the year\'s totals and the tier bands the plan\'s targets measure are exact',
  exact: 'exact figures: officers and administrators, who may read single firms, are not given the protected table'
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

/** What protects a year's figures: policy k and p, and the tier bands the plan's revenue-share targets measure. */
export interface ProtectionSettings {
  minFirms: number
  dominancePercent: number
  /** Tier codes at which a revenue-share target starts a band (tier and up). */
  bandStarts: string[]
}

export async function protectionSettings (db: Db): Promise<ProtectionSettings> {
  const policy = await policyValues(db, ['suppression_min_firms', 'disclosure_dominance_percent'])
  // The stored JSON as its text, as the figures have always been read ("5" in quotes is not 5).
  const text = (key: string): string | null => policy.has(key) ? JSON.stringify(policy.get(key)) : null
  const [row] = await queryRows<{ bands: string | null }>(db, sql`
    select (select string_agg(distinct tier_code, ',') from ${planTargets} where measure = 'revenue_share_at_least_tier' and tier_code is not null
      and district_code is null) as bands`)
  return {
    minFirms: minFirms(text('suppression_min_firms')),
    dominancePercent: dominancePercent(text('disclosure_dominance_percent')),
    bandStarts: row?.bands == null ? [] : row.bands.split(',')
  }
}

function minFirms (stored: unknown): number {
  const k = Number(stored ?? 3)
  return Number.isInteger(k) && k >= 1 ? k : 3
}

function dominancePercent (stored: unknown): number {
  const p = Number(stored ?? 10)
  return Number.isInteger(p) && p >= 0 && p <= 100 ? p : 10
}

/** One leaf of a year's table: the firms with the same tier, district, program and domain set. */
interface LeafCell { tier: string, district: string, program: string, domains: string[] }
interface YearTable { stamp: string, settings: string, cells: LeafCell[], table: ProtectedTable }

/** Protected tables by database and year, kept while the year's rollup rows are unchanged (their stamp). */
const tables = new WeakMap<Db, Map<number, YearTable>>()
/** Builds under way, by database and year + settings. */
const building = new WeakMap<Db, Map<string, Promise<YearTable>>>()

/** A stamp of the year's rollup rows: any write to the year's figures rewrites some of them (new row versions). */
const stampOf = (year: number) => sql`(select md5(coalesce(string_agg(c.ctid::text || ':' || c.xmin::text, ',' order by c.tier_code, c.district_code,
  c.program_code, c.domains), '')) from analytics_cells c where c.year = ${year})`

const MEASURE_COLUMNS: Record<Measure, string> = {
  operatingRevenue: 'f.operating_revenue',
  softwareRevenue: 'f.software_revenue',
  rdExpense: 'f.rd_expense',
  exportRevenue: 'd.export_revenue',
  employees: 'f.employees'
}

interface LeafRow { stamp: string, tier_code: string, district_code: string, program_code: string, domains: string, firms: number, [column: string]: unknown }

/** The year's protected table, built from the firm-level rollup (with each declaration's export revenue) or taken from the cache. */
export async function yearTable (db: Db, year: number, settings: ProtectionSettings): Promise<YearTable> {
  const settingsKey = JSON.stringify(settings)
  let byYear = tables.get(db)
  if (byYear == null) tables.set(db, byYear = new Map())
  const kept = byYear.get(year)
  let current: string | undefined
  if (kept != null && kept.settings === settingsKey) {
    const [now] = await queryRows<{ stamp: string }>(db, sql`select ${stampOf(year)} as stamp`)
    if (now.stamp === kept.stamp) return kept
    current = now.stamp
  }
  // Requests that find the same year cold at once share one build (a year of a million firms takes
  // seconds); each then checks the stamp at its own time, so none gets figures older than its start.
  let builds = building.get(db)
  if (builds == null) building.set(db, builds = new Map())
  const key = `${year}\n${settingsKey}`
  const pending = builds.get(key)
  if (pending != null) {
    const shared = await pending
    current ??= (await queryRows<{ stamp: string }>(db, sql`select ${stampOf(year)} as stamp`))[0].stamp
    if (shared.stamp === current) return shared
  }
  const build = buildYearTable(db, year, settings, settingsKey, byYear)
  builds.set(key, build)
  try {
    return await build
  } finally {
    if (builds.get(key) === build) builds.delete(key)
  }
}

async function buildYearTable (db: Db, year: number, settings: ProtectionSettings, settingsKey: string, byYear: Map<number, YearTable>): Promise<YearTable> {
  const measureSql = PROTECTED_MEASURES.map(m => {
    const col = sql.raw(MEASURE_COLUMNS[m])
    return sql`sum(${col})::text as ${sql.raw(`"${m}"`)}, (array_agg(${col} order by ${col} desc))[1]::text as ${sql.raw(`"${m}1"`)},
      (array_agg(${col} order by ${col} desc))[2]::text as ${sql.raw(`"${m}2"`)}`
  })
  const rows = await queryRows<LeafRow>(db, sql`
    select ${stampOf(year)} as stamp, f.tier_code, f.district_code, f.program_code, array_to_string(f.domains, ',') as domains, count(*)::int as firms,
      ${sql.join(measureSql, sql`, `)}
    from analytics_firm_years f join declarations d on d.enterprise_id = f.enterprise_id and d.year = f.year
    where f.year = ${year}
    group by f.tier_code, f.district_code, f.program_code, f.domains
    order by f.tier_code, f.district_code, f.program_code, f.domains`)
  const amount = (m: Measure, v: unknown): bigint => v == null ? 0n : m === 'employees' ? BigInt(String(v)) : toFen(String(v))
  const starts = settings.bandStarts.map(t => tierRank(t)).sort((a, b) => a - b)
  const band = (tier: string) => `band${starts.filter(s => s <= tierRank(tier)).length}`
  const cells: LeafCell[] = []
  const leaves: Leaf[] = rows.map(r => {
    const cell = { tier: r.tier_code, district: r.district_code, program: r.program_code, domains: r.domains === '' ? [] : r.domains.split(',') }
    cells.push(cell)
    const group: Group = {
      firms: r.firms,
      measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, { sum: amount(m, r[m]), top1: amount(m, r[`${m}1`]), top2: amount(m, r[`${m}2`]) }])) as Group['measures']
    }
    return { key: [band(cell.tier), cell.tier, cell.district, cell.program, r.domains], group }
  })
  // The bands the plan's revenue-share targets measure are published exactly (without bands the one band is the year).
  const mandated = (key: readonly string[], m: Measure) => key.length === 1 && (m === 'operatingRevenue' || starts.length === 0)
  const table = protectTable(leaves, { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent }, mandated)
  const stamp = rows[0]?.stamp ?? (await queryRows<{ stamp: string }>(db, sql`select ${stampOf(year)} as stamp`))[0].stamp
  const result = { stamp, settings: settingsKey, cells, table }
  byYear.set(year, result)
  return result
}

const FIGURE_OF: Record<Measure, (v: bigint) => string | number> = {
  operatingRevenue: fromFen,
  softwareRevenue: fromFen,
  rdExpense: fromFen,
  exportRevenue: fromFen,
  employees: v => Number(v)
}

function matches (c: LeafCell, f: Filters): boolean {
  if (f.tier != null && !f.tier.includes(c.tier)) return false
  if (f.district != null && !f.district.includes(c.district)) return false
  if (f.program != null && !f.program.includes(c.program)) return false
  if (f.domain != null && !c.domains.some(d => f.domain?.includes(d))) return false
  if (f.pool === 'member' && c.program === '') return false
  if (f.pool === 'non_member' && c.program !== '') return false
  return true
}

/** One year's table for the breakdown and filters: exact, or from the protected table only. */
function publish (year: YearTable, by: Dimension[], f: Filters, exact: boolean): { cells: Cell[], totals: Figures, suppressedCells: number } {
  const figures = (leafIndexes: number[]): Figures => {
    const a = answer(year.table, leafIndexes)
    const source = exact ? a.exact : a.protectedFigures
    const out = { firms: a.firms, suppressed: false } as Figures
    for (const m of PROTECTED_MEASURES) {
      const v = source[m]
      ;(out as unknown as Record<string, unknown>)[m] = v == null ? null : FIGURE_OF[m](v)
      if (v == null) out.suppressed = true
    }
    return out
  }
  const all: number[] = []
  const groups = new Map<string, { key: Partial<Record<Dimension, string | null>>, leaves: number[] }>()
  year.cells.forEach((c, i) => {
    if (!matches(c, f)) return
    all.push(i)
    if (by.length === 0) return
    const domainValues = by.includes('domain') ? c.domains.filter(d => f.domain == null || f.domain.includes(d)) : [null]
    for (const dom of domainValues) {
      const key: Partial<Record<Dimension, string | null>> = {}
      for (const d of by) key[d] = d === 'tier' ? c.tier : d === 'district' ? c.district : d === 'program' ? (c.program === '' ? null : c.program) : dom
      const id = JSON.stringify(by.map(d => key[d]))
      const g = groups.get(id)
      if (g == null) groups.set(id, { key, leaves: [i] })
      else g.leaves.push(i)
    }
  })
  const sorted = [...groups.values()].sort((a, b) => {
    for (const d of by) {
      const x = a.key[d] ?? ''
      const y = b.key[d] ?? ''
      if (x !== y) return d === 'tier' ? TIER_CODES.indexOf(x as never) - TIER_CODES.indexOf(y as never) : (x < y ? -1 : 1)
    }
    return 0
  })
  const cells = sorted.map(g => ({ ...g.key, ...figures(g.leaves) }))
  return { cells, totals: figures(all), suppressedCells: cells.filter(c => c.suppressed).length }
}

function notesFor (s: ProtectionSettings, exact: boolean, by: Dimension[], filters: Filters): string[] {
  const notes = [exact ? NOTES.exact : NOTES.protection.replace('{k}', String(s.minFirms)).replace('{p}', String(s.dominancePercent))]
  if (by.includes('program') || filters.program != null) notes.push(NOTES.program)
  if (by.includes('domain')) notes.push(NOTES.domain)
  return notes
}

/**
 * `exact`: the reader may see single firms (officers, administrators) and
 * gets exact sums; everyone else gets figures of the protected table only.
 */
export async function distribution (db: Db, year: number, by: Dimension[], filters: Filters, exact: boolean) {
  const settings = await protectionSettings(db)
  const { cells, totals, suppressedCells } = publish(await yearTable(db, year, settings), by, filters, exact)
  return {
    year, by, exact, minFirms: settings.minFirms, dominancePercent: settings.dominancePercent, suppressedCells, cells, totals,
    notes: notesFor(settings, exact, by, filters)
  }
}

export async function trend (db: Db, from: number, to: number, by: Dimension[], filters: Filters, exact: boolean) {
  const settings = await protectionSettings(db)
  const years = []
  for (let year = from; year <= to; year++) {
    const table = await yearTable(db, year, settings)
    const { cells, totals } = publish(table, by, filters, exact)
    const domains = await cityDomainShares(db, year, settings, exact, table)
    years.push({ year, cells, totals, primaryDomains: { cells: domains.cells, focus: domains.focus } })
  }
  return { from, to, by, exact, minFirms: settings.minFirms, dominancePercent: settings.dominancePercent, years, notes: notesFor(settings, exact, by, filters) }
}

/** The year's sums per tier (city aggregates, not suppressed: they cover the whole industry), export revenue included. */
export async function tierSums (db: Db, year: number): Promise<TierSums[]> {
  const [rows, exports] = await Promise.all([
    queryRows<{ tier_code: string, firms: number, op: string, sw: string, rd: string, emp: string }>(db, sql`
      select c.tier_code, sum(c.firms)::int as firms, sum(c.operating_revenue)::text as op, sum(c.software_revenue)::text as sw,
        sum(c.rd_expense)::text as rd, sum(c.employees)::text as emp
      from analytics_totals c where c.year = ${year} group by c.tier_code`),
    queryRows<{ tier_code: string, ex: string | null }>(db, sql`
      select f.tier_code, sum(d.export_revenue)::text as ex
      from analytics_firm_years f join declarations d on d.enterprise_id = f.enterprise_id and d.year = f.year
      where f.year = ${year} group by f.tier_code`)
  ])
  const exportOf = new Map(exports.map(r => [r.tier_code, r.ex == null ? 0n : toFen(r.ex)]))
  return rows.map(r => ({
    tierCode: r.tier_code,
    firms: r.firms,
    operatingRevenueFen: toFen(r.op),
    softwareRevenueFen: toFen(r.sw),
    rdExpenseFen: toFen(r.rd),
    employees: BigInt(r.emp),
    exportRevenueFen: exportOf.get(r.tier_code) ?? 0n
  }))
}

// ---------------------------------------------------------------------------
// Districts: each district's sums per tier, from the year's table (protected
// for aggregate-only readers, like every other figure).

export interface DistrictSums {
  district: string
  firms: number
  sums: TierSums[]
  /** Figures some part of which is withheld from this reader: a target that needs one is suppressed. */
  withheld: Set<SumFigure>
}

const SUM_FIELD: Record<Measure, keyof TierSums> = {
  operatingRevenue: 'operatingRevenueFen',
  softwareRevenue: 'softwareRevenueFen',
  rdExpense: 'rdExpenseFen',
  exportRevenue: 'exportRevenueFen',
  employees: 'employees'
}

/** Every district's sums per tier for the year: exact, or from the protected table only (a withheld cell marks its figure). */
export async function districtSums (db: Db, year: number, exact: boolean): Promise<Map<string, DistrictSums>> {
  const settings = await protectionSettings(db)
  const table = await yearTable(db, year, settings)
  const byCell = new Map<string, number[]>()
  table.cells.forEach((c, i) => {
    const id = `${c.district}\u0001${c.tier}`
    const list = byCell.get(id)
    if (list == null) byCell.set(id, [i])
    else list.push(i)
  })
  const out = new Map<string, DistrictSums>()
  for (const [id, leaves] of byCell) {
    const [district, tierCode] = id.split('\u0001')
    const a = answer(table.table, leaves)
    const source = exact ? a.exact : a.protectedFigures
    let entry = out.get(district)
    if (entry == null) out.set(district, entry = { district, firms: 0, sums: [], withheld: new Set() })
    entry.firms += a.firms
    const s: TierSums = { tierCode, firms: a.firms, operatingRevenueFen: 0n, softwareRevenueFen: 0n, rdExpenseFen: 0n, employees: 0n, exportRevenueFen: 0n }
    for (const m of PROTECTED_MEASURES) {
      const v = source[m]
      if (v == null) entry.withheld.add(m)
      else (s as unknown as Record<string, bigint>)[SUM_FIELD[m]] = v
    }
    entry.sums.push(s)
  }
  return out
}

// ---------------------------------------------------------------------------
// Primary domains: each firm counts in its one primary domain, so the domain
// shares of revenue add up to 100%. Aggregate-only readers get them from a
// protected table of their own (server/domain/disclosure.ts): the plan's
// focus group (AI, IoT, big data, cloud) and the rest, then each domain; the
// city's two groups are published like the plan's tier bands.

interface DomainRow { district: string, domain: string, firms: number, op: string | null, op1: string | null, op2: string | null }

export interface DomainShares {
  /** The protected (or exact) revenue of the firms whose primary domain is one of `domains`, and of all firms; null = withheld. */
  revenue: (domains: readonly string[]) => { part: bigint | null, all: bigint | null }
  cells: Array<{ domain: string, firms: number, operatingRevenue: string | null, share: string | null }>
  focus: { domains: string[], firms: number, operatingRevenue: string | null, share: string | null }
}

/** A firm's (`e`) primary domain: the one it names, else its first (a firm with no domain: ''). */
const primaryDomainOf = sql`coalesce(e.primary_domain, (select min(ed.domain_code) from enterprise_domains ed where ed.enterprise_id = e.id), '')`

async function domainRows (db: Db, year: number): Promise<DomainRow[]> {
  return await queryRows<DomainRow>(db, sql`
    select f.district_code as district, ${primaryDomainOf} as domain, count(*)::int as firms,
      sum(f.operating_revenue)::text as op,
      (array_agg(f.operating_revenue order by f.operating_revenue desc))[1]::text as op1,
      (array_agg(f.operating_revenue order by f.operating_revenue desc))[2]::text as op2
    from analytics_firm_years f join enterprises e on e.id = f.enterprise_id
    where f.year = ${year}
    group by 1, 2
    order by 1, 2`)
}

function domainGroup (rows: ReadonlyArray<Pick<DomainRow, 'firms' | 'op' | 'op1' | 'op2'>>): Group {
  let group: Group = { firms: 0, measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, EMPTY_CONTRIBUTION])) as Group['measures'] }
  for (const r of rows) {
    const fenOf = (v: string | null) => v == null ? 0n : toFen(v)
    const now = group.measures.operatingRevenue
    const tops = [now.top1, now.top2, fenOf(r.op1), fenOf(r.op2)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    const operatingRevenue = { sum: now.sum + fenOf(r.op), top1: tops[0], top2: tops[1] }
    group = { firms: group.firms + r.firms, measures: { ...group.measures, operatingRevenue } }
  }
  return group
}

function sharesOf (rows: DomainRow[], settings: ProtectionSettings, exact: boolean, mandatedGroups: boolean): DomainShares {
  const domainsSeen = [...new Set(rows.map(r => r.domain))].sort()
  const leaves: Leaf[] = domainsSeen.map(d => ({
    key: [FOCUS_DOMAINS.includes(d) ? 'focus' : 'other', d],
    group: domainGroup(rows.filter(r => r.domain === d))
  }))
  const table = protectTable(leaves, { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent },
    (key, m) => mandatedGroups && key.length === 1 && m === 'operatingRevenue')
  const sumOf = (indexes: number[]): bigint | null => {
    const a = answer(table, indexes)
    return exact ? a.exact.operatingRevenue : a.protectedFigures.operatingRevenue
  }
  const all = sumOf(leaves.map((_, i) => i))
  const revenue = (domains: readonly string[]) => ({ part: sumOf(domainsSeen.flatMap((d, i) => domains.includes(d) ? [i] : [])), all })
  const share = (part: bigint | null) => part == null || all == null || all === 0n ? null : ratio(part, all, 6)
  const cells = domainsSeen.map((d, i) => {
    const op = sumOf([i])
    return { domain: d, firms: leaves[i].group.firms, operatingRevenue: op == null ? null : fromFen(op), share: share(op) }
  })
  const focus = revenue(FOCUS_DOMAINS).part
  return {
    revenue,
    cells,
    focus: {
      domains: [...FOCUS_DOMAINS],
      firms: cells.filter(c => FOCUS_DOMAINS.includes(c.domain)).reduce((a, c) => a + c.firms, 0),
      operatingRevenue: focus == null ? null : fromFen(focus),
      share: share(focus)
    }
  }
}

/**
 * The city's revenue by primary domain for the year. Exact for readers who may
 * see single firms. For aggregate-only readers only the split into the plan's
 * focus group and the rest is given, and only when it is safe beside the
 * year's protected table (focusSplitIsSafe); each domain's own figure is
 * withheld, because domain cells cut across the protected table's cells and
 * their differences could isolate a cell the table withholds.
 */
export async function primaryDomainShares (db: Db, year: number, exact: boolean): Promise<DomainShares> {
  return await cityDomainShares(db, year, await protectionSettings(db), exact)
}

/** `table`: the year's protected table when the caller has it already (the trend). */
async function cityDomainShares (db: Db, year: number, settings: ProtectionSettings, exact: boolean, table?: YearTable): Promise<DomainShares> {
  const shares = sharesOf(await domainRows(db, year), settings, true, true)
  if (exact) return shares
  const safe = await focusSplitIsSafe(db, year, settings, table ?? await yearTable(db, year, settings))
  const all = shares.revenue([]).all
  const isFocusSet = (domains: readonly string[]) => domains.length === FOCUS_DOMAINS.length && FOCUS_DOMAINS.every(d => domains.includes(d))
  return {
    // the focus group, or (the year's published total minus it) the rest: nothing finer
    revenue: (domains) => {
      if (!safe) return { part: null, all }
      const focus = shares.revenue(FOCUS_DOMAINS).part
      if (isFocusSet(domains)) return { part: focus, all }
      const rest = shares.cells.map(c => c.domain).filter(d => !FOCUS_DOMAINS.includes(d))
      if (domains.length === rest.length && rest.every(d => domains.includes(d))) return { part: focus == null || all == null ? null : all - focus, all }
      return { part: null, all }
    },
    cells: shares.cells.map(c => ({ ...c, operatingRevenue: null, share: null })),
    focus: safe ? shares.focus : { ...shares.focus, operatingRevenue: null, share: null }
  }
}

/**
 * Whether the city's focus-group revenue (firms whose primary domain is AI,
 * IoT, big data or cloud) may be published beside the year's protected table.
 * A reader of the table knows the sum of each free group (the firms of a
 * published cell in none of its published sub-cells). Publishing the focus
 * total adds one linear fact; assuming the reader even knows which firms are
 * in the focus group, what it then learns beyond the free groups is exactly
 * the sum of the focus firms of the free groups that mix focus and other
 * firms, and the sum of their other firms (any other combination is a union
 * of whole free groups with one of these two). So the split is safe when both
 * of those groups are safe under the table's own rule (threshold and p%).
 */
export async function focusSplitIsSafe (db: Db, year: number, settings: ProtectionSettings, { table }: YearTable): Promise<boolean> {
  const rule = { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent }
  const rows = await queryRows<{
    tier: string, district: string, program: string, domains: string, focus: boolean, firms: number, op: string | null,
    op1: string | null, op2: string | null
  }>(db, sql`
    select f.tier_code as tier, f.district_code as district, f.program_code as program, array_to_string(f.domains, ',') as domains,
      ${primaryDomainOf} in (${sql.join(FOCUS_DOMAINS.map(d => sql`${d}`), sql`, `)}) as focus,
      count(*)::int as firms, sum(f.operating_revenue)::text as op,
      (array_agg(f.operating_revenue order by f.operating_revenue desc))[1]::text as op1,
      (array_agg(f.operating_revenue order by f.operating_revenue desc))[2]::text as op2
    from analytics_firm_years f join enterprises e on e.id = f.enterprise_id
    where f.year = ${year}
    group by 1, 2, 3, 4, 5`)
  const leafKey = new Map(table.leaves.map(l => [l.key.slice(1).join('\u0001'), l.key]))
  const parts = new Map<string, { focus: Group, other: Group }>()
  for (const r of rows) {
    const key = leafKey.get([r.tier, r.district, r.program, r.domains].join('\u0001'))
    if (key == null) return false // the rollup moved on between the two reads: say nothing
    // the free group a firm of this leaf belongs to: its deepest published cell
    let depth = key.length
    while (depth > 0 && isPublished(table, key.slice(0, depth), 'operatingRevenue') !== true) depth--
    const owner = key.slice(0, depth).join('\u0001')
    const part = parts.get(owner) ?? { focus: emptyGroup(), other: emptyGroup() }
    const group = domainGroup([r])
    if (r.focus) part.focus = mergeGroups(part.focus, group)
    else part.other = mergeGroups(part.other, group)
    parts.set(owner, part)
  }
  let focusOfMixed = emptyGroup()
  let otherOfMixed = emptyGroup()
  for (const p of parts.values()) {
    if (p.focus.firms === 0 || p.other.firms === 0) continue
    focusOfMixed = mergeGroups(focusOfMixed, p.focus)
    otherOfMixed = mergeGroups(otherOfMixed, p.other)
  }
  const safe = (g: Group) => g.firms === 0 || !isSensitive(g, 'operatingRevenue', rule)
  return safe(focusOfMixed) && safe(otherOfMixed)
}

/**
 * Each district's revenue by primary domain. For aggregate-only readers a
 * district's shares are given only where its own revenue is published whole
 * (`published`): a district total the main table withholds stays withheld.
 */
export async function districtDomainShares (db: Db, year: number, exact: boolean,
  published: (district: string) => boolean): Promise<Map<string, DomainShares>> {
  const settings = await protectionSettings(db)
  const rows = await domainRows(db, year)
  const out = new Map<string, DomainShares>()
  for (const district of [...new Set(rows.map(r => r.district))]) {
    const own = rows.filter(r => r.district === district)
    // The district's groups are not mandated: only its total, which the main table publishes whole here, is given regardless.
    const shares = sharesOf(own, settings, exact, false)
    if (!exact) {
      // District domain cells cut across the protected table's cells like the city's (primaryDomainShares): withheld.
      const all = published(district) ? shares.revenue([]).all : null
      shares.revenue = () => ({ part: null, all })
      shares.cells = shares.cells.map(c => ({ ...c, operatingRevenue: null, share: null }))
      shares.focus = { ...shares.focus, operatingRevenue: null, share: null }
    }
    out.set(district, shares)
  }
  return out
}
