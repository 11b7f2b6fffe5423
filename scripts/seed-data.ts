/**
 * A deterministic synthetic industry for demos, tests and benchmarks,
 * calibrated to the action plan's 2017 baseline (shared/DOMAIN.md): about
 * 2000 firms, 700 of them above designated size with 105.3 billion CNY of
 * revenue between them, about 200,000 employees. Revenues are log-normal
 * (heavy-tailed: a handful of billion-tier firms, one ten-billion firm per
 * ~2000), drawn by stratified quantiles so the baseline holds for any seed,
 * then grow year on year with a drift per firm. Same options → same data.
 * On top of the industry, the grading history (scripts/seed-grading.ts):
 * calls, applications, reviews, the pool's admissions and public notices.
 *
 * Loads through COPY on PostgreSQL and multi-row INSERTs on PGlite, in one
 * transaction, with the analytics triggers switched off for the load; the
 * rollup's rows are written from the generated data and summed at the end.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { asc, desc, sql } from 'drizzle-orm'
import { queryRows, type Database, type Db, inTransaction } from '../db/client.ts'
import { programs as programsTable, rubrics as rubricsTable, tierRules as tierRulesTable } from '../db/schema/index.ts'
import { classifyTier, tierRank, type TierRule } from '../server/domain/tiers.ts'
import { loadEligibilityGates } from '../server/services/policy.ts'
import { policyNumber } from '../server/services/policy.ts'
import { rubricOf } from '../server/services/rubrics.ts'
import { callRows, COLUMNS, GradingHistory, type FirmGrading, type GradingCounts, type GradingPolicy, type ProgramCode } from './seed-grading.ts'
import { completeUscc } from '../server/domain/uscc.ts'
import { fromFen } from '../server/domain/money.ts'
import { hashPassword } from '../server/lib/passwords.ts'

export interface SeedOptions {
  firms: number
  fromYear: number
  toYear: number
  seed: number
  force: boolean
  /** The seed's "now": the open calls' windows contain it, closed calls lie before it (default: the clock). */
  now?: Date
}

export const DEFAULT_SEED: SeedOptions = { firms: 2000, fromYear: 2017, toYear: 2026, seed: 1, force: false }

/** Demo accounts, printed at the end and listed in the README. */
export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.peiyu.cn', role: 'admin', name: '系统管理员', password: 'Demo-Admin-Pass-2026' },
  { email: 'officer1@demo.peiyu.cn', role: 'officer', name: '经信委 王科长', password: 'Demo-Officer-Pass-2026' },
  { email: 'officer2@demo.peiyu.cn', role: 'officer', name: '经信委 李科员', password: 'Demo-Officer-Pass-2026' },
  { email: 'analyst1@demo.peiyu.cn', role: 'analyst', name: '规划处 赵分析师', password: 'Demo-Analyst-Pass-2026' },
  { email: 'analyst2@demo.peiyu.cn', role: 'analyst', name: '规划处 钱分析师', password: 'Demo-Analyst-Pass-2026' },
  ...[1, 2, 3, 4, 5, 6].map(i => ({ email: `reviewer${i}@demo.peiyu.cn`, role: 'reviewer', name: `评审专家 ${i}`, password: 'Demo-Reviewer-Pass-2026' }))
] as const
/** Every generated firm account shares this password (one precomputed argon2 hash: hashing 100,000 would take hours). */
export const FIRM_PASSWORD = 'Seed-Firm-Pass-2026'
export const firmEmail = (i: number) => `firm${i}@seed.peiyu.cn`

// ---------------------------------------------------------------- randomness

/** sfc32 seeded through splitmix32: small, fast, good enough, reproducible everywhere. */
export function rng (seed: number): () => number {
  let s = seed >>> 0
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split(); let b = split(); let c = split(); let d = split()
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
}

/** Inverse standard normal CDF (Acklam), |error| < 1.2e-9. */
export function probit (p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239]
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1]
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416]
  const lo = 0.02425
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  if (p > 1 - lo) return -probit(1 - p)
  const q = p - 0.5
  const r = q * q
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

/** One of `items`, chosen by weight with the uniform draw `r` in [0, 1). */
export function pickWeighted<T> (r: number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0)
  let x = r * total
  for (const [v, w] of items) { if ((x -= w) < 0) return v }
  return items[items.length - 1][0]
}

// ---------------------------------------------------------------- the industry

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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A version-4 UUID from 16 byte draws (table lookups, not toString: a seed makes over a million). */
export function uuidFrom (r: () => number): string {
  let x = ''
  for (let i = 0; i < 16; i++) {
    let b = Math.floor(r() * 256)
    if (i === 6) b = (b & 0x0f) | 0x40
    if (i === 8) b = (b & 0x3f) | 0x80
    x += HEX[b]
    if (i === 3 || i === 5 || i === 7 || i === 9) x += '-'
  }
  return x
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
        tier: classifyTier(fromFen(revenueFen), year, [...domains], rules)
      })
    }
    yield { index: i, id, userId, uscc, name, district, domains: [...domains].sort(), foundedOn, years }
  }
}

// ---------------------------------------------------------------- loading

type Cell = string | number | bigint | null

/** Writes rows to a table: COPY on PostgreSQL, multi-row INSERT on PGlite. */
interface BulkSink {
  write: (table: string, columns: string[], rows: Iterable<Cell[]>) => Promise<number>
}

const copyText = (v: Cell) => v == null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
const sqlLiteral = (v: Cell) => v == null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)

function copySink (tx: import('postgres').TransactionSql): BulkSink {
  return {
    async write (table, columns, rows) {
      let count = 0
      const writable = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable()
      async function * lines () {
        let chunk: string[] = []
        for (const row of rows) {
          chunk.push(row.map(copyText).join('\t') + '\n')
          count++
          if (chunk.length === 2000) { yield chunk.join(''); chunk = [] }
        }
        if (chunk.length > 0) yield chunk.join('')
      }
      await pipeline(Readable.from(lines()), writable)
      return count
    }
  }
}

function insertSink (tx: Db): BulkSink {
  return {
    async write (table, columns, rows) {
      let count = 0
      let chunk: string[] = []
      const flush = async () => {
        if (chunk.length === 0) return
        await tx.execute(sql.raw(`insert into ${table} (${columns.join(', ')}) values ${chunk.join(',')}`))
        chunk = []
      }
      for (const row of rows) {
        chunk.push('(' + row.map(sqlLiteral).join(',') + ')')
        count++
        if (chunk.length === 1000) await flush()
      }
      await flush()
      return count
    }
  }
}

export interface SeedSummary {
  firms: number
  declarations: number
  members: number
  users: number
  calls: number
  applications: number
  reviews: number
  /** Applications by final state. */
  applicationsByState: GradingCounts['byState']
  /** Firm 0's application in the open call (under review, or ineligible): an owner's read for benchmarks. */
  sampleApplication: { email: string, id: string } | null
  seconds: number
  /** First year: firms declaring, above-scale-or-higher firms and their revenue, employees. */
  baseline: { year: number, firms: number, aboveScale: number, aboveScaleRevenue: string, employees: number }
}

/** True when the registry already has firms: the seed then needs --force. */
export async function registryIsEmpty (db: Db): Promise<boolean> {
  const [row] = await queryRows<{ any: boolean }>(db, sql`select exists (select 1 from enterprises) as any`)
  return !row.any
}

/** The policy the grading history follows, read from the database: gates, each program's latest rubric, policy numbers. */
async function gradingPolicy (db: Db): Promise<Omit<GradingPolicy, 'officerId' | 'reviewerIds'>> {
  const rubricRows = await db.select().from(rubricsTable).orderBy(asc(rubricsTable.programCode), desc(rubricsTable.version))
  const rubrics: GradingPolicy['rubrics'] = {}
  for (const row of rubricRows) rubrics[row.programCode] ??= { id: row.id, rubric: rubricOf(row) }
  const programs = await db.select({ code: programsTable.code, nameZh: programsTable.nameZh }).from(programsTable)
  return {
    gates: await loadEligibilityGates(db),
    rubrics,
    programNames: Object.fromEntries(programs.map(p => [p.code, p.nameZh])),
    disagreementPoints: await policyNumber(db, 'review_disagreement_points', 15),
    noticePeriodDays: await policyNumber(db, 'notice_period_days', 7)
  }
}

/**
 * Seeds `database`. Refuses a database that already has firms unless
 * opts.force, which first empties the registry (firms, accounts other than
 * administrators, declarations, pool, calls and everything that hangs off
 * them). The audit trail is append-only and stays.
 */
export async function seedDatabase (database: Database, opts: SeedOptions, log: (line: string) => void = () => {}): Promise<SeedSummary> {
  const started = Date.now()
  const now = opts.now ?? new Date()
  const db = database.db
  const replace = !(await registryIsEmpty(db))
  if (replace && !opts.force) throw new SeedRefused('the database already has firms; run with --force to replace them (the audit trail is kept)')
  const rules = (await db.select().from(tierRulesTable)).map(r => ({ ...r, minRevenue: String(r.minRevenue) }))
  const policy = await gradingPolicy(db)
  const firmHash = await hashPassword(FIRM_PASSWORD)
  const demoIds = rng(opts.seed ^ 0xde70)
  const demo = await Promise.all(DEMO_ACCOUNTS.map(async a => ({ ...a, id: uuidFrom(demoIds), hash: await hashPassword(a.password) })))

  const summary: SeedSummary = {
    firms: 0, declarations: 0, members: 0, users: 0, calls: 0, applications: 0, reviews: 0, applicationsByState: {}, sampleApplication: null, seconds: 0,
    baseline: { year: opts.fromYear, firms: 0, aboveScale: 0, aboveScaleRevenue: '0.00', employees: 0 }
  }
  let baselineRevenue = 0n
  const progressEvery = Math.max(1000, Math.floor(opts.firms / 10))

  const load = async (sink: BulkSink, exec: (q: string) => Promise<unknown>, query: (q: string) => Promise<Array<Record<string, unknown>>>) => {
    if (replace) {
      log('--force: emptying the registry (administrators, rubrics and the audit trail stay)')
      // TRUNCATE … CASCADE also empties every table that references firms or accounts (calls,
      // applications, reviews, conflicts, notices …); administrators and rubrics are put back.
      await exec('create temp table keep_admins on commit drop as select * from users where role = \'admin\'')
      await exec('create temp table keep_rubrics on commit drop as select * from rubrics')
      await exec('truncate enterprises, users, pool_evaluations, analytics_firm_years, analytics_cells, analytics_totals, idempotency_keys, revoked_tokens cascade')
      await exec('insert into users select * from keep_admins')
      await exec('update keep_rubrics set created_by = null where created_by is not null and created_by not in (select id from keep_admins)')
      await exec('insert into rubrics select * from keep_rubrics on conflict do nothing')
    }
    // Skip the per-row analytics triggers during the load (the rollup is rebuilt once at the end).
    // Inside the transaction: a failed load rolls this back too. Calls, applications and reviews
    // have no triggers; pool memberships feed the rollup through the generated program below.
    await exec('alter table declarations disable trigger analytics_declarations')
    await exec('alter table enterprise_domains disable trigger analytics_enterprise_domains')
    await exec('alter table pool_memberships disable trigger analytics_pool_memberships')
    // Demo staff first: the officer opens the calls and decides, the reviewers review.
    for (const a of demo) {
      await exec(`insert into users (id, email, name, password_hash, role, employer_uscc) values (${sqlLiteral(a.id)}, ${sqlLiteral(a.email)}, ${sqlLiteral(a.name)}, ${sqlLiteral(a.hash)}, ${sqlLiteral(a.role)}, NULL) on conflict (email) do nothing`)
    }
    summary.users += demo.length
    const staff = new Map((await query(`select email, id from users where email in (${demo.map(a => sqlLiteral(a.email)).join(', ')})`)).map(u => [String(u.email), String(u.id)]))
    const staffId = (role: string) => demo.filter(a => a.role === role).map(a => staff.get(a.email) as string)
    const officerId = staffId('officer')[0]
    const ids = rng(opts.seed ^ 0x6ade1d)
    const history = new GradingHistory(opts, { ...policy, officerId, reviewerIds: staffId('reviewer') }, rng(opts.seed ^ 0x6ade), () => uuidFrom(ids), now)
    summary.calls = await sink.write('calls', [...COLUMNS.calls], callRows(history.calls, officerId))

    // Firms go in batches: generate, then copy each table's rows for the batch.
    const batchSize = 10_000
    const generator = generateIndustry(opts, rules)
    const r = rng(opts.seed ^ 0x5eed)
    for (;;) {
      const batch: SyntheticFirm[] = []
      for (let i = 0; i < batchSize; i++) {
        const next = generator.next()
        if (next.done === true) break
        batch.push(next.value)
      }
      if (batch.length === 0) break
      await sink.write('enterprises', ['id', 'uscc', 'name', 'district_code', 'founded_on'],
        batch.map(f => [f.id, f.uscc, f.name, f.district, f.foundedOn]))
      await sink.write('enterprise_domains', ['enterprise_id', 'domain_code'],
        batch.flatMap(f => f.domains.map(d => [f.id, d])))
      summary.users += await sink.write('users', ['id', 'email', 'name', 'password_hash', 'role', 'enterprise_id'],
        batch.map(f => [f.userId, firmEmail(f.index), f.name, firmHash, 'enterprise', f.id]))
      summary.declarations += await sink.write('declarations', [
        'id', 'enterprise_id', 'year', 'operating_revenue', 'software_revenue', 'rd_expense', 'export_revenue', 'main_business_revenue',
        'total_assets', 'total_liabilities', 'employees', 'rd_staff', 'patents', 'software_copyrights', 'tier_code'
      ], (function * () {
        for (const f of batch) {
          for (const [year, y] of f.years) {
            yield [y.id, f.id, year, fromFen(y.revenueFen), fromFen(y.softwareFen), fromFen(y.rdFen), fromFen(y.exportFen), fromFen(y.mainFen),
              fromFen(y.assetsFen), fromFen(y.liabilitiesFen), y.employees, y.rdStaff, y.patents, y.copyrights, y.tier]
          }
        }
      })())
      // The calls: pool members were admitted by the first year's call on the first year's figures, a
      // draw among the firms its gates let in; other firms applied now and then (GradingHistory).
      const grading: FirmGrading[] = []
      const programOf = new Map<string, string>()
      for (const f of batch) {
        const y = f.years.get(opts.fromYear)
        let admittedTo: ProgramCode | null = null
        if (y != null) {
          admittedTo = history.admissionProgram(f, r())
          summary.baseline.firms++
          summary.baseline.employees += y.employees
          if (tierRank(y.tier) >= tierRank('above_scale')) { summary.baseline.aboveScale++; baselineRevenue += y.revenueFen }
        }
        const g = history.firm(f, admittedTo)
        grading.push(g)
        programOf.set(f.id, g.program)
      }
      await sink.write('applications', [...COLUMNS.applications], grading.flatMap(g => g.applications))
      await sink.write('reviews', [...COLUMNS.reviews], grading.flatMap(g => g.reviews))
      await sink.write('reviewer_conflicts', [...COLUMNS.conflicts], grading.flatMap(g => g.conflicts))
      summary.members += await sink.write('pool_memberships', [...COLUMNS.memberships], grading.flatMap(g => g.memberships))
      await sink.write('public_notices', [...COLUMNS.notices], grading.flatMap(g => g.notices))
      // The analytics rollup's firm-year rows, straight from the generator (what analytics_rebuild() would derive).
      await sink.write('analytics_firm_years', [
        'enterprise_id', 'year', 'tier_code', 'district_code', 'program_code', 'domains', 'operating_revenue', 'software_revenue', 'rd_expense', 'employees'
      ], (function * () {
        for (const f of batch) {
          const domains = `{${f.domains.join(',')}}`
          const program = programOf.get(f.id) ?? ''
          for (const [year, y] of f.years) {
            yield [f.id, year, y.tier, f.district, program, domains, fromFen(y.revenueFen), fromFen(y.softwareFen), fromFen(y.rdFen), y.employees]
          }
        }
      })())
      summary.firms += batch.length
      if (summary.firms % progressEvery < batchSize || batch.length < batchSize) {
        log(`  ${summary.firms.toLocaleString('en')} / ${opts.firms.toLocaleString('en')} firms, ${summary.declarations.toLocaleString('en')} declarations, ${history.counts.applications.toLocaleString('en')} applications (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      }
    }
    summary.applications = history.counts.applications
    summary.reviews = history.counts.reviews
    summary.applicationsByState = history.counts.byState
    summary.sampleApplication = history.sampleApplicationId == null ? null : { email: firmEmail(0), id: history.sampleApplicationId }
    await exec('alter table declarations enable trigger analytics_declarations')
    await exec('alter table enterprise_domains enable trigger analytics_enterprise_domains')
    await exec('alter table pool_memberships enable trigger analytics_pool_memberships')
    log('  summing the analytics cells')
    await exec(`insert into analytics_cells (year, tier_code, district_code, program_code, domains, firms, operating_revenue, software_revenue, rd_expense, employees)
      select year, tier_code, district_code, program_code, domains, count(*)::int, sum(operating_revenue), sum(software_revenue), sum(rd_expense), sum(employees)::bigint
      from analytics_firm_years group by year, tier_code, district_code, program_code, domains`)
    await exec('select analytics_sum_totals()')
  }

  if (database.kind === 'postgres' && database.raw != null) {
    await database.raw.begin(async (tx) => {
      // Where the role may (a superuser, as on a development machine), skip the foreign-key checks
      // for the load: the generator's rows are consistent by construction. Elsewhere they just run.
      await tx.savepoint(async (sp) => await sp.unsafe('set local session_replication_role = replica')).catch(() => {})
      await load(copySink(tx), async (q) => await tx.unsafe(q), async (q) => await tx.unsafe(q))
    })
    await database.raw.unsafe('analyze')
  } else {
    await inTransaction(db, async (tx) => {
      await load(insertSink(tx), async (q) => await tx.execute(sql.raw(q)), async (q) => await queryRows(tx, sql.raw(q)))
    })
  }
  summary.baseline.aboveScaleRevenue = fromFen(baselineRevenue)
  summary.seconds = (Date.now() - started) / 1000
  return summary
}

export class SeedRefused extends Error {
  override name = 'SeedRefused'
}

/** "2017-2026" → [2017, 2026]. */
export function parseYears (raw: string): [number, number] {
  const m = /^(\d{4})-(\d{4})$/.exec(raw)
  if (m == null) throw new SeedRefused(`--years must look like 2017-2026, got ${raw}`)
  const from = Number(m[1])
  const to = Number(m[2])
  if (to < from || to - from > 40) throw new SeedRefused('--years: the end must not be before the start, and at most 40 years')
  return [from, to]
}
