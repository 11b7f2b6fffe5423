import { sql } from 'drizzle-orm'
import { inTransaction, queryRows, type Db } from '../../db/client.ts'
import { planTargets, programs, domains, districts } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { fromFen, toFen } from '../domain/money.ts'
import {
  answer, emptyGroup, isPublished, isSensitive, mergeGroups, PROTECTED_MEASURES, protectTable, type Group, type Leaf, type Measure,
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
interface YearTable { stamp: string, settings: string, cells: LeafCell[], table: ProtectedTable, fine: readonly FineCell[], answers: Map<string, unknown> }

/**
 * A year's firms at the finest grain the analytics use (tier × district ×
 * program × domain set × primary domain), each group with every protected
 * measure's sum and two largest firms. Every figure of the year is derived
 * from these in memory: the protected table, the domain shares, the focus
 * check, the tier sums. Read in one statement, with the year's stamp in the
 * same snapshot.
 */
interface FineCell { tier: string, district: string, program: string, domains: string, primary: string, group: Group }
interface YearData { stamp: bigint, fine: FineCell[], tables: Map<string, YearTable>, derived: Map<string, unknown> }

/** Years a trend reads from the database at once. */
const YEARS_AT_ONCE = 2

/** Each year's data by database, kept while the year's stamp is unchanged. */
const years = new WeakMap<Db, Map<number, YearData>>()
/** Reads under way, by database and year. */
const loading = new WeakMap<Db, Map<number, Promise<YearData>>>()

/**
 * The year's stamp: the sum of its change counters (analytics_year_changes,
 * migration 0024). Every committed write of the year's rollup rows adds to
 * it, so it only grows: data read with a stamp at least the current one is
 * current. Sixteen rows by primary key: a fraction of a millisecond.
 */
const stampOf = (year: number) => sql`(select coalesce(sum(n), 0)::text from analytics_year_changes where year = ${year})`

/** The current stamps of the years from..to (a year never written: 0). */
async function stampsOf (db: Db, from: number, to: number): Promise<Map<number, bigint>> {
  const rows = await queryRows<{ year: number, stamp: string }>(db, sql`
    select year, sum(n)::text as stamp from analytics_year_changes where year between ${from} and ${to} group by year`)
  return new Map(rows.map(r => [Number(r.year), BigInt(r.stamp)]))
}

const MEASURE_COLUMNS: Record<Measure, string> = {
  operatingRevenue: 'f.operating_revenue',
  softwareRevenue: 'f.software_revenue',
  rdExpense: 'f.rd_expense',
  exportRevenue: 'f.export_revenue',
  employees: 'f.employees'
}

/** A firm's (`e`) primary domain: the one it names, else its first (a firm with no domain: ''). */
const primaryDomainOf = sql`coalesce(e.primary_domain, (select min(ed.domain_code) from enterprise_domains ed where ed.enterprise_id = e.id), '')`

interface FineRow {
  stamp: string, tier_code: string | null, district_code: string, program_code: string, domains: string, primary_domain: string, firms: number
  [column: string]: unknown
}

/** The year's data, current as of the call (`stamp`: the current stamp when the caller has read it already). */
async function yearData (db: Db, year: number, stamp?: bigint): Promise<YearData> {
  let byYear = years.get(db)
  if (byYear == null) years.set(db, byYear = new Map())
  const current = stamp ?? (await stampsOf(db, year, year)).get(year) ?? 0n
  const kept = byYear.get(year)
  if (kept != null && kept.stamp >= current) return kept
  // Requests that find the same year cold at once share one read (a year of a million firms takes
  // seconds); a read that started before this request's stamp is not enough for it.
  let loads = loading.get(db)
  if (loads == null) loading.set(db, loads = new Map())
  const pending = loads.get(year)
  if (pending != null) {
    const shared = await pending
    if (shared.stamp >= current) return shared
  }
  const load = readYear(db, year, byYear)
  loads.set(year, load)
  try {
    return await load
  } finally {
    if (loads.get(year) === load) loads.delete(year)
  }
}

async function readYear (db: Db, year: number, byYear: Map<number, YearData>): Promise<YearData> {
  const measureSql = PROTECTED_MEASURES.map(m => {
    const col = sql.raw(MEASURE_COLUMNS[m])
    return sql`sum(${col})::text as ${sql.raw(`"${m}"`)}, (array_agg(${col} order by ${col} desc))[1]::text as ${sql.raw(`"${m}1"`)},
      (array_agg(${col} order by ${col} desc))[2]::text as ${sql.raw(`"${m}2"`)}`
  })
  // One row with the stamp even for a year without firms (then the group's columns are null). A year of a million
  // firms sorts in memory (not in temporary files) and is not worth compiling (JIT): both only for this statement.
  const rows = await inTransaction(db, async (tx) => {
    await tx.execute(sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`)
    return await queryRows<FineRow>(tx, sql`
    with g as (
      select f.tier_code, f.district_code, f.program_code, array_to_string(f.domains, ',') as domains, ${primaryDomainOf} as primary_domain,
        count(*)::int as firms, ${sql.join(measureSql, sql`, `)}
      from analytics_firm_years f
      join enterprises e on e.id = f.enterprise_id
      where f.year = ${year}
      group by 1, 2, 3, 4, 5
    )
    select ${stampOf(year)} as stamp, g.* from (select 1) one left join g on true
    order by g.tier_code, g.district_code, g.program_code, g.domains, g.primary_domain`)
  })
  const amount = (m: Measure, v: unknown): bigint => v == null ? 0n : m === 'employees' ? BigInt(String(v)) : toFen(String(v))
  const fine: FineCell[] = []
  for (const r of rows) {
    if (r.tier_code == null) continue
    fine.push({
      tier: r.tier_code,
      district: r.district_code,
      program: r.program_code,
      domains: r.domains,
      primary: r.primary_domain,
      group: {
        firms: r.firms,
        measures: Object.fromEntries(PROTECTED_MEASURES.map(m => [m, { sum: amount(m, r[m]), top1: amount(m, r[`${m}1`]), top2: amount(m, r[`${m}2`]) }])) as Group['measures']
      }
    })
  }
  const data: YearData = { stamp: BigInt(rows[0].stamp), fine, tables: new Map(), derived: new Map() }
  const kept = byYear.get(year)
  if (kept == null || kept.stamp < data.stamp) byYear.set(year, data)
  return data
}

/** The fine cells merged by `keyOf` (two largest firms of a merge: the largest two of the parts'). */
function mergeBy<K extends string> (fine: readonly FineCell[], keyOf: (c: FineCell) => K): Map<K, { first: FineCell, group: Group }> {
  const out = new Map<K, { first: FineCell, group: Group }>()
  for (const c of fine) {
    const k = keyOf(c)
    const g = out.get(k)
    if (g == null) out.set(k, { first: c, group: c.group })
    else g.group = mergeGroups(g.group, c.group)
  }
  return out
}

/** The year's protected table (tier band × tier × district × program × domain set), current as of the call. */
export async function yearTable (db: Db, year: number, settings: ProtectionSettings, stamp?: bigint): Promise<YearTable> {
  const data = await yearData(db, year, stamp)
  const settingsKey = JSON.stringify(settings)
  const kept = data.tables.get(settingsKey)
  if (kept != null) return kept
  const starts = settings.bandStarts.map(t => tierRank(t)).sort((a, b) => a - b)
  const band = (tier: string) => `band${starts.filter(s => s <= tierRank(tier)).length}`
  const cells: LeafCell[] = []
  const leaves: Leaf[] = []
  for (const { first: c, group } of mergeBy(data.fine, c => `${c.tier}\u0001${c.district}\u0001${c.program}\u0001${c.domains}`).values()) {
    cells.push({ tier: c.tier, district: c.district, program: c.program, domains: c.domains === '' ? [] : c.domains.split(',') })
    leaves.push({ key: [band(c.tier), c.tier, c.district, c.program, c.domains], group })
  }
  // The bands the plan's revenue-share targets measure are published exactly (without bands the one band is the year).
  const mandated = (key: readonly string[], m: Measure) => key.length === 1 && (m === 'operatingRevenue' || starts.length === 0)
  const table = protectTable(leaves, { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent }, mandated)
  const result: YearTable = { stamp: String(data.stamp), settings: settingsKey, cells, table, fine: data.fine, answers: new Map() }
  data.tables.set(settingsKey, result)
  return result
}

/**
 * An answer derived from the year's table (or data) alone, kept with it: the
 * same question asked again while the year is unchanged gets the same
 * figures without working them out again. A few hundred questions at most.
 */
function remembered<T> (table: YearTable | YearData, question: string, work: () => T): T {
  const answers = 'answers' in table ? table.answers : table.derived
  if (answers.has(question)) return answers.get(question) as T
  const value = work()
  if (answers.size < 500) answers.set(question, value)
  return value
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
  const table = await yearTable(db, year, settings)
  const { cells, totals, suppressedCells } = remembered(table, JSON.stringify(['publish', by, filters, exact]), () => publish(table, by, filters, exact))
  return {
    year, by, exact, minFirms: settings.minFirms, dominancePercent: settings.dominancePercent, suppressedCells, cells, totals,
    notes: notesFor(settings, exact, by, filters)
  }
}

/** Whole trend answers by question and the stamps of its years (a few dozen questions are asked again and again). */
const trends = new WeakMap<Db, Map<string, Awaited<ReturnType<typeof computeTrend>>>>()

export async function trend (db: Db, from: number, to: number, by: Dimension[], filters: Filters, exact: boolean) {
  const settings = await protectionSettings(db)
  // Every year's stamp in one read; the same question over unchanged years gets the same answer.
  const stamps = await stampsOf(db, from, to)
  let kept = trends.get(db)
  if (kept == null) trends.set(db, kept = new Map())
  const key = JSON.stringify([from, to, by, filters, exact, settings, [...stamps].sort(([a], [b]) => a - b).map(([y, s]) => `${y}:${s}`)])
  const known = kept.get(key)
  if (known != null) return known
  const answer = await computeTrend(db, from, to, by, filters, exact, settings, stamps)
  if (kept.size >= 100) kept.delete(kept.keys().next().value as string)
  kept.set(key, answer)
  return answer
}

async function computeTrend (db: Db, from: number, to: number, by: Dimension[], filters: Filters, exact: boolean, settings: ProtectionSettings,
  stamps: Map<number, bigint>) {
  // The years not in memory are read two at a time (the database works on two while the rest wait their turn).
  const wanted = Array.from({ length: to - from + 1 }, (_, i) => from + i)
  for (let i = 0; i < wanted.length; i += YEARS_AT_ONCE) {
    await Promise.all(wanted.slice(i, i + YEARS_AT_ONCE).map(async (year) => await yearData(db, year, stamps.get(year) ?? 0n)))
  }
  const years = []
  for (let year = from; year <= to; year++) {
    const table = await yearTable(db, year, settings, stamps.get(year) ?? 0n)
    const { cells, totals } = remembered(table, JSON.stringify(['publish', by, filters, exact]), () => publish(table, by, filters, exact))
    const domains = await cityDomainShares(db, year, settings, exact, table)
    years.push({ year, cells, totals, primaryDomains: { cells: domains.cells, focus: domains.focus } })
  }
  return { from, to, by, exact, minFirms: settings.minFirms, dominancePercent: settings.dominancePercent, years, notes: notesFor(settings, exact, by, filters) }
}

/**
 * The year's sums per tier (city aggregates, not suppressed: they cover the whole industry), export revenue included.
 * `inTransaction`: `db` is a transaction (the simulations'), which reads in its own snapshot: two sums over the year
 * instead of the year's data kept for the service (read for a transaction, it would serve no one else).
 */
export async function tierSums (db: Db, year: number, opts: { inTransaction?: boolean } = {}): Promise<TierSums[]> {
  if (opts.inTransaction !== true) {
    // From the year's data in memory: the same firm-years the rollup's totals sum.
    const data = await yearData(db, year)
    return remembered(data, 'tierSums', () => [...mergeBy(data.fine, c => c.tier).values()].map(({ first, group: g }) => ({
      tierCode: first.tier,
      firms: g.firms,
      operatingRevenueFen: g.measures.operatingRevenue.sum,
      softwareRevenueFen: g.measures.softwareRevenue.sum,
      rdExpenseFen: g.measures.rdExpense.sum,
      employees: g.measures.employees.sum,
      exportRevenueFen: g.measures.exportRevenue.sum
    })))
  }
  const [rows, exportOf] = await Promise.all([
    queryRows<{ tier_code: string, firms: number, op: string, sw: string, rd: string, emp: string }>(db, sql`
      select c.tier_code, sum(c.firms)::int as firms, sum(c.operating_revenue)::text as op, sum(c.software_revenue)::text as sw,
        sum(c.rd_expense)::text as rd, sum(c.employees)::text as emp
      from analytics_totals c where c.year = ${year} group by c.tier_code`),
    exportsByTier(db, year)
  ])
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

async function exportsByTier (db: Db, year: number): Promise<Map<string, bigint>> {
  const rows = await queryRows<{ tier_code: string, ex: string | null }>(db, sql`
    select f.tier_code, sum(f.export_revenue)::text as ex from analytics_firm_years f where f.year = ${year} group by f.tier_code`)
  return new Map(rows.map(r => [r.tier_code, r.ex == null ? 0n : toFen(r.ex)]))
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
  return remembered(table, JSON.stringify(['districtSums', exact]), () => districtSumsOf(table, exact))
}

function districtSumsOf (table: YearTable, exact: boolean): Map<string, DistrictSums> {
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

/** The firms of one district whose primary domain is `domain`: their revenue only. */
interface DomainRow { district: string, domain: string, group: Group }
export interface DomainShares {
  /** The protected (or exact) revenue of the firms whose primary domain is one of `domains`, and of all firms; null = withheld. */
  revenue: (domains: readonly string[]) => { part: bigint | null, all: bigint | null }
  cells: Array<{ domain: string, firms: number, operatingRevenue: string | null, share: string | null }>
  focus: { domains: string[], firms: number, operatingRevenue: string | null, share: string | null }
}

/** The year's firms by district and primary domain, in that order. */
async function domainRows (db: Db, year: number): Promise<DomainRow[]> {
  const data = await yearData(db, year)
  return remembered(data, 'domainRows', () => domainRowsOf(data.fine))
}

function domainRowsOf (fine: readonly FineCell[]): DomainRow[] {
  const merged = mergeBy(fine, c => `${c.district}\u0001${c.primary}`)
  return [...merged.values()]
    .map(({ first, group }) => ({ district: first.district, domain: first.primary, group: revenueOnly(group) }))
    .sort((a, b) => a.district < b.district ? -1 : a.district > b.district ? 1 : a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0)
}

/** The group with its operating revenue only (what the domain shares measure); the other measures empty. */
function revenueOnly (g: Group): Group {
  return { firms: g.firms, measures: { ...emptyGroup().measures, operatingRevenue: g.measures.operatingRevenue } }
}

/** The groups merged (revenue only). */
function domainGroup (rows: ReadonlyArray<{ group: Group }>): Group {
  return rows.reduce((a, r) => mergeGroups(a, revenueOnly(r.group)), emptyGroup())
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
  const yt = table ?? await yearTable(db, year, settings)
  // Worked out once per year's data (the same figures for every reader); the reader's view is made of it below.
  const shares = remembered(yt, JSON.stringify(['cityShares', settings]), () => sharesOf(domainRowsOf(yt.fine), settings, true, true))
  if (exact) return shares
  const safe = await focusSplitIsSafe(db, year, settings, yt)
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
export async function focusSplitIsSafe (db: Db, year: number, settings: ProtectionSettings, yt: YearTable): Promise<boolean> {
  return remembered(yt, JSON.stringify(['focusSplit', settings]), () => focusSplitSafeIn(yt, settings))
}

/** focusSplitIsSafe on the table's own data (the same stamp). */
function focusSplitSafeIn ({ table, fine }: YearTable, settings: ProtectionSettings): boolean {
  const rule = { minFirms: settings.minFirms, dominancePercent: settings.dominancePercent }
  const rows = [...mergeBy(fine, c => `${c.tier}\u0001${c.district}\u0001${c.program}\u0001${c.domains}\u0001${FOCUS_DOMAINS.includes(c.primary) ? 1 : 0}`).values()]
    .map(({ first, group }) => ({
      tier: first.tier, district: first.district, program: first.program, domains: first.domains, focus: FOCUS_DOMAINS.includes(first.primary), group
    }))
  const leafKey = new Map(table.leaves.map(l => [l.key.slice(1).join('\u0001'), l.key]))
  const parts = new Map<string, { focus: Group, other: Group }>()
  for (const r of rows) {
    const key = leafKey.get([r.tier, r.district, r.program, r.domains].join('\u0001'))
    if (key == null) return false // not a leaf of the table: say nothing
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
